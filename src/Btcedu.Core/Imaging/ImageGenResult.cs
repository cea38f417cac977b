using Btcedu.Core.Models;

namespace Btcedu.Core.Imaging;

/// <summary>
/// What one image request produced. <see cref="Png"/> is the normalised 1920x1080 PNG (null unless
/// <see cref="Outcome"/> is Succeeded). <see cref="CostUsd"/> is what the provider billed: the reported tokens at the
/// model's prices (or the estimate when none were reported) when it returned an image, even one that then failed
/// validation; plus the estimate for every attempt that timed out; 0 when it returned nothing.
/// </summary>
public sealed record ImageGenResult
{
    public required ImageGenOutcome Outcome { get; init; }
    public byte[]? Png { get; init; }
    /// <summary>The prompt exactly as sent to the provider.</summary>
    public required string PromptSent { get; init; }
    /// <summary>The provider's rewrite of the prompt (dall-e-3 reports one), else null.</summary>
    public string? RevisedPrompt { get; init; }
    /// <summary>The decoded image's own size before normalisation, e.g. "1536x1024"; null when nothing decoded.</summary>
    public string? SourceSize { get; init; }
    /// <summary>HTTP requests made to the generation endpoint, retries included.</summary>
    public int Attempts { get; init; }
    public TimeSpan Latency { get; init; }
    /// <summary>The API's reported usage; null when it reported none (dall-e-3, some gateways).</summary>
    public ImageTokenUsage? Usage { get; init; }
    public long? InputTokens => Usage?.InputTokens;
    public long? OutputTokens => Usage?.OutputTokens;
    public decimal CostUsd { get; init; }
    /// <summary>
    /// Attempts that timed out on our side. The provider may have finished and billed them, so each is counted
    /// in <see cref="CostUsd"/> at the call's estimate.
    /// </summary>
    public int TimedOutAttempts { get; init; }
    /// <summary>Whether <see cref="CostUsd"/> holds estimates (no usage reported, or timed-out attempts) rather than billed tokens only.</summary>
    public bool CostEstimated { get; init; }
    /// <summary>For people: what went wrong and what to do. Never holds a secret.</summary>
    public string? ErrorMessage { get; init; }

    public bool Succeeded => Outcome == ImageGenOutcome.Succeeded;
}
