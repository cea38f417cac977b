using System.Globalization;

namespace Btcedu.Core.Models;

/// <summary>One image model of the catalogue as Get-BtceduImageModel shows it, with its status on a given day.</summary>
public sealed record ImageModelListing
{
    public required string Name { get; init; }
    public required ImageModelFamily Family { get; init; }
    public required ModelStatus Status { get; init; }
    public DateOnly? DeprecatedDate { get; init; }
    public DateOnly? ShutdownDate { get; init; }
    public string? Replacement { get; init; }
    /// <summary>The legal sizes, or the custom-size rule.</summary>
    public required IReadOnlyList<string> Sizes { get; init; }
    public required string DefaultSize { get; init; }
    public required IReadOnlyList<string> Qualities { get; init; }
    public required string DefaultQuality { get; init; }
    /// <summary>"per image" or "per token".</summary>
    public required string Billing { get; init; }
    public decimal? TextInputPerMillionUsd { get; init; }
    public decimal? ImageInputPerMillionUsd { get; init; }
    public decimal? ImageOutputPerMillionUsd { get; init; }
    /// <summary>What one image at the default size and quality is expected to cost (what a run reserves for it).</summary>
    public decimal? EstimatedCostUsd { get; init; }
    /// <summary>The image output tokens that estimate counts, when the model bills by tokens.</summary>
    public int? EstimatedOutputTokens { get; init; }
    /// <summary>Where the estimate came from: the catalogue (price, published tokens, rule) or this workspace's ledger.</summary>
    public required EstimateSource EstimateSource { get; init; }
    /// <summary>With EstimateSource Ledger: how many settled images (at most 20) it looked at.</summary>
    public int? SettledImages { get; init; }
    /// <summary>Cached-input prices per million, when published.</summary>
    public decimal? CachedTextInputPerMillionUsd { get; init; }
    public decimal? CachedImageInputPerMillionUsd { get; init; }
    /// <summary>Whether OpenAI's model page confirms Batch API support (then the catalogue has its batch prices).</summary>
    public bool BatchSupported { get; init; }
    /// <summary>Whether it is the configured image_model.</summary>
    public bool IsConfigured { get; init; }

    /// <param name="learned">What the workspace paid for its last images at the default size and quality, if any.</param>
    public static ImageModelListing From(ImageModel model, DateOnly today, string configuredModel, LearnedTokens? learned = null) => new()
    {
        Name = model.Name,
        Family = model.Family,
        Status = model.Lifecycle.StatusOn(today),
        DeprecatedDate = model.Lifecycle.DeprecatedOn,
        ShutdownDate = model.Lifecycle.ShutdownOn,
        Replacement = model.Lifecycle.Replacement,
        Sizes = model.CustomSizes
            ? [string.Create(CultureInfo.InvariantCulture, $"custom: edges multiples of {ImageModel.SizeStep}, long edge ≤ {ImageModel.MaxEdge}, ratio ≤ {ImageModel.MaxAspectRatio}:1, {ImageModel.MinPixels:N0}–{ImageModel.MaxPixels:N0} px")]
            : model.Sizes,
        DefaultSize = model.DefaultSize,
        Qualities = model.Qualities,
        DefaultQuality = model.DefaultQuality,
        Billing = model.TokenPrices is null ? "per image" : "per token",
        TextInputPerMillionUsd = model.TokenPrices?.TextInputPerMillion,
        ImageInputPerMillionUsd = model.TokenPrices?.ImageInputPerMillion,
        ImageOutputPerMillionUsd = model.TokenPrices?.ImageOutputPerMillion,
        EstimatedCostUsd = model.EstimateUsd(model.DefaultSize, model.DefaultQuality, learned),
        EstimatedOutputTokens = model.TokenPrices is null ? null
            : learned?.OutputTokens ?? model.ExpectedOutputTokens(model.DefaultSize, model.DefaultQuality == "auto" ? model.Qualities.Where(q => q != "auto").Last() : model.DefaultQuality),
        EstimateSource = model.EstimateSourceOf(model.DefaultSize, model.DefaultQuality, learned),
        SettledImages = model.TokenPrices is null ? null : learned?.Images,
        CachedTextInputPerMillionUsd = model.CachedPrices?.TextInputPerMillion,
        CachedImageInputPerMillionUsd = model.CachedPrices?.ImageInputPerMillion,
        BatchSupported = model.BatchPrices is not null,
        IsConfigured = string.Equals(model.Name, configuredModel, StringComparison.Ordinal),
    };
}
