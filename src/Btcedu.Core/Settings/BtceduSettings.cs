using Btcedu.Core.Workspace;
namespace Btcedu.Core.Settings;

/// <summary>
/// Effective settings: defaults &lt; btcedu.yaml &lt; BTCEDU_* environment &lt; cmdlet parameters.
/// <see cref="ImageSize"/> and <see cref="ImageQuality"/> are null when the model's own default applies.
/// </summary>
public sealed record BtceduSettings
{
    public const string DefaultStylePrefix =
        "Clean, modern flat illustration for a Turkish Bitcoin education video; neutral background with Bitcoin orange (#F7931A) accents; no text, letters or logos.";

    public Uri OpenAiBaseUrl { get; init; } = new("https://api.openai.com/v1");
    public Secret? OpenAiApiKey { get; init; }
    public string ImageModel { get; init; } = "gpt-image-2";
    public string? ImageSize { get; init; }
    public string? ImageQuality { get; init; }
    public string? ImageStyle { get; init; }
    public string ImageStylePrefix { get; init; } = DefaultStylePrefix;
    public int ImageThrottleLimit { get; init; } = 4;
    /// <summary>Per attempt: gpt-image-2 at high quality can take minutes.</summary>
    public int ImageTimeoutSeconds { get; init; } = 300;
    /// <summary>Images per minute across all workers (the account's IPM limit); null leaves calls unpaced.</summary>
    public int? ImageRateLimitPerMinute { get; init; }
    public string LlmModel { get; init; } = "gpt-6-luna";
    public decimal MaxEpisodeCostUsd { get; init; } = 10m;
    /// <summary>Earlier images kept per chapter in images/history/{chapter_id}/; pruning beyond it is the only deletion.</summary>
    public int ImageHistoryKeep { get; init; } = 5;
    /// <summary>Whether title cards and talking heads get a brand card (images/{chapter_id}.png) made locally.</summary>
    public bool BrandCards { get; init; } = true;
    /// <summary>The image title cards are drawn on (relative to the workspace root); null draws a plain card in the brand colours.</summary>
    public string? TitleCardTemplate { get; init; }
    /// <summary>The image talking-head cards are drawn on; null draws a plain card.</summary>
    public string? TalkingHeadTemplate { get; init; }
    /// <summary>The shipped model catalogue with btcedu.yaml's image_models / llm_models merged in.</summary>
    public Models.ModelCatalog Models { get; init; } = Btcedu.Core.Models.ModelCatalog.Shipped;

    /// <summary>
    /// Whether the endpoint is OpenAI's own. Elsewhere (a gateway or proxy) a model OpenAI shut down may still be
    /// served, so its refusal becomes a warning.
    /// </summary>
    public bool IsOpenAiEndpoint => string.Equals(OpenAiBaseUrl.Host, "api.openai.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>What loading noticed but did not refuse (an unknown BTCEDU_* variable); the cmdlets show each as a warning.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The API key, or an AuthenticationError that says how to set it.</summary>
    public Secret RequireApiKey() =>
        OpenAiApiKey is { } key && !string.IsNullOrWhiteSpace(key.Reveal()) ? key
        : throw new BtceduException("OpenAiApiKeyMissing", BtceduErrorKind.AuthenticationError,
            "No OpenAI API key is configured; set the OPENAI_API_KEY environment variable (or openai_api_key in btcedu.yaml). A dry run (-WhatIf) needs none.");
}
