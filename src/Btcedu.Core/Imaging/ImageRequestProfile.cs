using System.Globalization;
using Btcedu.Core.Models;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Imaging;

/// <summary>
/// A request shape that is legal for its catalogue model and has a known price, resolved from settings before
/// any call so that a bad size or quality, a retired model, or spending without a price fails early and costs
/// nothing. Defaults come from the catalogue: 1920x1088 medium for the gpt-image-2 family (the smallest legal
/// 16:9 size at or above 1080p, cropped to 1920x1080 without upscaling); the fixed-size models' first size.
/// </summary>
public sealed record ImageRequestProfile
{
    private ImageRequestProfile(ImageModel entry, string size, string quality, string? style, decimal estimate, string? warning, LearnedTokens? learned = null)
    {
        Learned = learned;
        Entry = entry;
        Size = size;
        Quality = quality;
        Style = style;
        EstimatedCostUsd = estimate;
        LifecycleWarning = warning;
    }

    /// <summary>The catalogue entry.</summary>
    public ImageModel Entry { get; }
    public string Model => Entry.Name;
    public ImageModelFamily Family => Entry.Family;
    public string Size { get; }
    public string Quality { get; }
    public string? Style { get; }
    /// <summary>What one call is expected to cost ("auto" at its dearest), reserved against the cost cap before calling.</summary>
    public decimal EstimatedCostUsd { get; }
    /// <summary>Expected image output tokens of one call, when the model bills by tokens.</summary>
    public int? ExpectedOutputTokens => Entry.TokenPrices is null ? null
        : Learned?.OutputTokens ?? Entry.ExpectedOutputTokens(Size, Quality == "auto" ? Entry.Qualities.Where(q => q != "auto").Last() : Quality);
    /// <summary>What this workspace has paid for images of this model, size and quality, when it has; the estimate then comes from it.</summary>
    public LearnedTokens? Learned { get; }
    /// <summary>Where <see cref="EstimatedCostUsd"/> came from.</summary>
    public EstimateSource EstimateSource => Entry.EstimateSourceOf(Size, Quality, Learned);
    /// <summary>Set for a deprecated model (or a retired one at a non-OpenAI endpoint): show it once per run.</summary>
    public string? LifecycleWarning { get; }

    public int Width => int.Parse(Size.AsSpan(0, Size.IndexOf('x')), CultureInfo.InvariantCulture);
    public int Height => int.Parse(Size.AsSpan(Size.IndexOf('x') + 1), CultureInfo.InvariantCulture);

    /// <summary>
    /// Resolves the configured image model, size, quality and style against the catalogue and the model's
    /// lifecycle on <paramref name="today"/>: a shut-down model is refused (ModelRetired) at OpenAI's endpoint.
    /// </summary>
    public static ImageRequestProfile Resolve(BtceduSettings settings, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var profile = Resolve(settings.ImageModel, settings.ImageSize, settings.ImageQuality, settings.ImageStyle, settings.Models);
        var warning = profile.Entry.Lifecycle.Check("image_model", profile.Model, today, settings.IsOpenAiEndpoint);
        return warning is null ? profile : new ImageRequestProfile(profile.Entry, profile.Size, profile.Quality, profile.Style, profile.EstimatedCostUsd, warning);
    }

    /// <summary>
    /// The same shape, estimated from what the workspace paid for its last settled images of it (null: from the
    /// catalogue). Only a token-billed model learns: a per-image price is exact already.
    /// </summary>
    public ImageRequestProfile WithLearned(LearnedTokens? learned)
    {
        if (learned is null || Entry.TokenPrices is null)
        {
            return this;
        }
        return new ImageRequestProfile(Entry, Size, Quality, Style, Entry.EstimateUsd(Size, Quality, learned)!.Value, LifecycleWarning, learned);
    }

    /// <summary>The same shape at the model's Batch API prices (BatchNotSupported when the catalogue has none).</summary>
    public ImageRequestProfile AtBatchPrices()
    {
        var entry = Entry.AtBatchPrices();
        return new ImageRequestProfile(entry, Size, Quality, Style, entry.EstimateUsd(Size, Quality, Learned)!.Value, LifecycleWarning, Learned);
    }

    /// <summary>Whether this profile prices at the Batch API's prices.</summary>
    public bool BatchPriced => Entry.BatchPrices is not null && ReferenceEquals(Entry.TokenPrices, Entry.BatchPrices);

    /// <summary>Validates an already-built request (the service does this before calling).</summary>
    public static ImageRequestProfile Resolve(ImageGenRequest request, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Resolve(request.Model, request.Size, request.Quality, request.Style, catalog);
    }

    /// <summary>
    /// Resolves a shape; null size/quality/style take the model's defaults. Throws a <see cref="BtceduException"/>
    /// (InvalidArgument or InvalidData) naming the setting to fix.
    /// </summary>
    public static ImageRequestProfile Resolve(string model, string? size, string? quality, string? style, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new BtceduException("ImageModelMissing", BtceduErrorKind.InvalidArgument, "No image model is configured; set image_model (e.g. gpt-image-2).");
        }
        var entry = catalog.RequireImage(model);

        var s = Normalise(size) ?? entry.DefaultSize;
        if (entry.SizeProblem(s) is { } sizeProblem)
        {
            throw new BtceduException("ImageSizeInvalid", BtceduErrorKind.InvalidArgument,
                $"Image size '{s}' is not valid for {entry.Name}: {sizeProblem}. Set image_size (default {entry.DefaultSize}).", s);
        }
        if (entry.CustomSizes && ImageModel.TryParseSize(s, out var w, out var h) && (w < ImageNormalizer.TargetWidth || h < ImageNormalizer.TargetHeight))
        {
            // A custom size can always cover the frame, so it must: images are cropped, never upscaled.
            throw new BtceduException("ImageSizeInvalid", BtceduErrorKind.InvalidArgument,
                $"Image size '{s}' is smaller than the {ImageNormalizer.TargetWidth}x{ImageNormalizer.TargetHeight} frame and would be upscaled; use {entry.DefaultSize} or larger.", s);
        }
        var q = Normalise(quality) ?? entry.DefaultQuality;
        if (!entry.Qualities.Contains(q))
        {
            throw new BtceduException("ImageQualityInvalid", BtceduErrorKind.InvalidArgument,
                $"Image quality '{q}' is not valid for {entry.Name}; set image_quality to one of {string.Join(", ", entry.Qualities)}.", q);
        }
        var st = Normalise(style);
        if (st is not null && !entry.Styles.Contains(st))
        {
            // Rejected rather than dropped: the style is part of the chapter hash, so silently ignoring it would lie.
            throw new BtceduException("ImageStyleInvalid", BtceduErrorKind.InvalidArgument, entry.Styles.Count == 0
                ? $"{entry.Name} takes no style; remove image_style (style belongs in image_style_prefix)."
                : $"Image style '{st}' is not valid for {entry.Name}; set image_style to one of {string.Join(", ", entry.Styles)}.", st);
        }
        var usd = entry.EstimateUsd(s, q) ?? throw new BtceduException("ImagePriceUnknown", BtceduErrorKind.InvalidData,
            $"No price for {entry.Name} {s} {q}; add it under image_models.{entry.Name} in btcedu.yaml so its spending is tracked.", $"{entry.Name} {s} {q}");
        return new ImageRequestProfile(entry, s, q, st, usd, null);
    }

    /// <summary>What a finished call cost: its reported token usage at the model's prices, else the estimate.</summary>
    public decimal CostOf(ImageTokenUsage? usage) => Entry.CostUsd(Size, Quality, usage) ?? EstimatedCostUsd;

    public ImageGenRequest ToRequest(string prompt) => new(prompt, Model, Size, Quality, Style);

    private static string? Normalise(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant().Replace('×', 'x');
}
