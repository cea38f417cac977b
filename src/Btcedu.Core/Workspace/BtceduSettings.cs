namespace Btcedu.Core.Workspace;

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
    public string ImageModel { get; init; } = "gpt-image-1";
    public string? ImageSize { get; init; }
    public string? ImageQuality { get; init; }
    public string? ImageStyle { get; init; }
    public string ImageStylePrefix { get; init; } = DefaultStylePrefix;
    public int ImageThrottleLimit { get; init; } = 4;
    public int ImageTimeoutSeconds { get; init; } = 120;
    public string LlmModel { get; init; } = "gpt-4o-mini";
    public decimal MaxEpisodeCostUsd { get; init; } = 10m;
    public ImagePriceTable ImagePrices { get; init; } = ImagePriceTable.Defaults;
    public Llm.LlmPriceTable LlmPrices { get; init; } = Llm.LlmPriceTable.Defaults;

    /// <summary>What loading noticed but did not refuse (an unknown BTCEDU_* variable); the cmdlets show each as a warning.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The API key, or an AuthenticationError that says how to set it.</summary>
    public Secret RequireApiKey() =>
        OpenAiApiKey is { } key && !string.IsNullOrWhiteSpace(key.Reveal()) ? key
        : throw new BtceduException("OpenAiApiKeyMissing", BtceduErrorKind.AuthenticationError,
            "No OpenAI API key is configured; set the OPENAI_API_KEY environment variable (or openai_api_key in btcedu.yaml). A dry run (-WhatIf) needs none.");
}
