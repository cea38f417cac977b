namespace Btcedu.Core.Models;

/// <summary>USD per million tokens of an image model that bills by tokens.</summary>
public sealed record TokenPrices(decimal TextInputPerMillion, decimal ImageInputPerMillion, decimal ImageOutputPerMillion)
{
    public decimal Cost(ImageTokenUsage usage) =>
        ((usage.TextInputTokens * TextInputPerMillion) + (usage.ImageInputTokens * ImageInputPerMillion) + (usage.OutputTokens * ImageOutputPerMillion)) / 1_000_000m;
}

/// <summary>USD per million cached input tokens (a prompt prefix the API has seen recently bills lower).</summary>
public sealed record CachedInputPrices(decimal TextInputPerMillion, decimal ImageInputPerMillion);
