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
    /// <summary>What one image at the default size and quality is expected to cost.</summary>
    public decimal? EstimatedCostUsd { get; init; }
    /// <summary>Whether it is the configured image_model.</summary>
    public bool IsConfigured { get; init; }

    public static ImageModelListing From(ImageModel model, DateOnly today, string configuredModel) => new()
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
        EstimatedCostUsd = model.EstimateUsd(model.DefaultSize, model.DefaultQuality),
        IsConfigured = string.Equals(model.Name, configuredModel, StringComparison.Ordinal),
    };
}
