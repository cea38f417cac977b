namespace Btcedu.Core.Models;

/// <summary>Where an image's cost estimate (the amount reserved against the cap before its call) came from.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum EstimateSource
{
    /// <summary>The catalogue's price per image (models billed per image).</summary>
    PublishedPrice,
    /// <summary>The catalogue's output_tokens table: OpenAI's published count for that size and quality.</summary>
    PublishedTokens,
    /// <summary>The catalogue's output_token_rule.</summary>
    TokenRule,
    /// <summary>No rule: the listed size with the most tokens per pixel, scaled (an upper bound).</summary>
    ScaledUpperBound,
    /// <summary>This workspace's settled images of the same model, size and quality: the most output tokens among the last 20.</summary>
    Ledger,
}

/// <summary>What this workspace has paid for images of one model, size and quality: the most output tokens among its last <see cref="Images"/> settled ones.</summary>
public sealed record LearnedTokens(int OutputTokens, int Images)
{
    /// <summary>How many settled images an estimate looks back at.</summary>
    public const int Window = 20;
}
