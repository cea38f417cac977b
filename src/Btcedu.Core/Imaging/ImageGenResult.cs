using Btcedu.Core.Models;
using Btcedu.Core.OpenAi;

namespace Btcedu.Core.Imaging;

/// <summary>
/// What one image request produced. <see cref="Image"/> holds the image exactly as the provider delivered it (null
/// unless <see cref="Outcome"/> is Succeeded): not decoded yet, because decoding and normalising are local work that
/// the image run does after the API slot is released (<see cref="ImageNormalizer"/>). <see cref="CostUsd"/> is what the provider billed: the reported tokens at the
/// model's prices (or the estimate when none were reported) when it returned an image, even one that then failed
/// validation; plus the estimate for every attempt that timed out; 0 when it returned nothing.
/// </summary>
public sealed record ImageGenResult
{
    public required ApiOutcome Outcome { get; init; }
    /// <summary>The delivered image's bytes (PNG, JPEG or WebP as the provider sent them), at most the size cap.</summary>
    public byte[]? Image { get; init; }
    /// <summary>The provider's rewrite of the prompt (dall-e-3 reports one), else null.</summary>
    public string? RevisedPrompt { get; init; }
    /// <summary>HTTP requests made to the generation endpoint, retries included.</summary>
    public int Attempts { get; init; }
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
    /// <summary>With ContentPolicyRejected: the moderation stage and categories the provider gave, when it gave them.</summary>
    public Btcedu.Core.OpenAi.ModerationDetails? Moderation { get; init; }
    /// <summary>For people: what went wrong and what to do. Never holds a secret.</summary>
    public string? ErrorMessage { get; init; }

    public bool Succeeded => Outcome == ApiOutcome.Succeeded;
}
