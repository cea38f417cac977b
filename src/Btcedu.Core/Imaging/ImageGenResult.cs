namespace Btcedu.Core.Imaging;

/// <summary>
/// What one image request produced. <see cref="Png"/> is the normalised 1920x1080 PNG (null unless
/// <see cref="Outcome"/> is Succeeded). <see cref="CostUsd"/> is what the provider billed: the price when it
/// returned an image (even one that then failed validation), 0 when it returned none.
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
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    public decimal CostUsd { get; init; }
    /// <summary>For people: what went wrong and what to do. Never holds a secret.</summary>
    public string? ErrorMessage { get; init; }

    public bool Succeeded => Outcome == ImageGenOutcome.Succeeded;
}
