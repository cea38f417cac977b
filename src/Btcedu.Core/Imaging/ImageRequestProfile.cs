using System.Globalization;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Imaging;

/// <summary>
/// A request shape that is valid for its model family and has a known price, resolved from settings before
/// any call so that a bad size or quality, or spending without a price, fails early and costs nothing.
/// Defaults: landscape (1792x1024 for dall-e-3, 1536x1024 for gpt-image-*); quality "standard" for dall-e-3
/// and "medium" for gpt-image-* (the best price/quality trade-off for flat illustrations); no style.
/// </summary>
public sealed record ImageRequestProfile
{
    private static readonly string[] DallE3Sizes = ["1792x1024", "1024x1024", "1024x1792"];
    private static readonly string[] DallE3Qualities = ["standard", "hd"];
    private static readonly string[] DallE3Styles = ["vivid", "natural"];
    private static readonly string[] GptImageSizes = ["1536x1024", "1024x1024", "1024x1536"];
    private static readonly string[] GptImageQualities = ["low", "medium", "high", "auto"];

    private ImageRequestProfile(string model, ImageModelFamily family, string size, string quality, string? style, decimal priceUsd)
    {
        Model = model;
        Family = family;
        Size = size;
        Quality = quality;
        Style = style;
        PriceUsd = priceUsd;
    }

    public string Model { get; }
    public ImageModelFamily Family { get; }
    public string Size { get; }
    public string Quality { get; }
    public string? Style { get; }
    /// <summary>The price of one image of this shape, to reserve against the cost cap before calling.</summary>
    public decimal PriceUsd { get; }

    public int Width => int.Parse(Size.AsSpan(0, Size.IndexOf('x')), CultureInfo.InvariantCulture);
    public int Height => int.Parse(Size.AsSpan(Size.IndexOf('x') + 1), CultureInfo.InvariantCulture);

    /// <summary>Resolves the configured image model, size, quality and style.</summary>
    public static ImageRequestProfile Resolve(BtceduSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Resolve(settings.ImageModel, settings.ImageSize, settings.ImageQuality, settings.ImageStyle, settings.ImagePrices);
    }

    /// <summary>Validates an already-built request (the service does this before calling).</summary>
    public static ImageRequestProfile Resolve(ImageGenRequest request, ImagePriceTable prices)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Resolve(request.Model, request.Size, request.Quality, request.Style, prices);
    }

    /// <summary>
    /// Resolves a shape; null size/quality/style take the family's defaults. Throws a
    /// <see cref="BtceduException"/> (InvalidArgument or InvalidData) naming the setting to fix.
    /// </summary>
    public static ImageRequestProfile Resolve(string model, string? size, string? quality, string? style, ImagePriceTable prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new BtceduException("ImageModelMissing", BtceduErrorKind.InvalidArgument, "No image model is configured; set image_model (e.g. gpt-image-1).");
        }
        model = model.Trim().ToLowerInvariant();
        var family = FamilyOf(model) ?? throw new BtceduException("ImageModelUnsupported", BtceduErrorKind.InvalidArgument,
            $"Image model '{model}' is not supported; use a gpt-image model (e.g. gpt-image-1) or dall-e-3.", model);

        var (sizes, qualities, styles) = family == ImageModelFamily.DallE3
            ? (DallE3Sizes, DallE3Qualities, DallE3Styles)
            : (GptImageSizes, GptImageQualities, Array.Empty<string>());

        var s = Normalise(size) ?? sizes[0];
        if (!sizes.Contains(s))
        {
            throw new BtceduException("ImageSizeInvalid", BtceduErrorKind.InvalidArgument,
                $"Image size '{s}' is not valid for {model}; set image_size to one of {string.Join(", ", sizes)}.", s);
        }
        var q = Normalise(quality) ?? (family == ImageModelFamily.DallE3 ? "standard" : "medium");
        if (!qualities.Contains(q))
        {
            throw new BtceduException("ImageQualityInvalid", BtceduErrorKind.InvalidArgument,
                $"Image quality '{q}' is not valid for {model}; set image_quality to one of {string.Join(", ", qualities)}.", q);
        }
        var st = Normalise(style);
        if (st is not null && !styles.Contains(st))
        {
            // Rejected rather than dropped: the style is part of the chapter hash, so silently ignoring it would lie.
            throw new BtceduException("ImageStyleInvalid", BtceduErrorKind.InvalidArgument, styles.Length == 0
                ? $"{model} takes no style; remove image_style (style belongs in image_style_prefix)."
                : $"Image style '{st}' is not valid for {model}; set image_style to one of {string.Join(", ", styles)}.", st);
        }
        if (!prices.TryGetPrice(model, s, q, out var usd))
        {
            throw new BtceduException("ImagePriceUnknown", BtceduErrorKind.InvalidData,
                $"No price for {model} {s} {q}; add it under image_prices in btcedu.yaml so its spending is tracked.", $"{model} {s} {q}");
        }
        return new ImageRequestProfile(model, family, s, q, st, usd);
    }

    /// <summary>The family a model name belongs to, or null when no shape is known for it.</summary>
    public static ImageModelFamily? FamilyOf(string model)
    {
        var m = model.Trim().ToLowerInvariant();
        if (m.StartsWith("gpt-image", StringComparison.Ordinal))
        {
            return ImageModelFamily.GptImage;
        }
        return m == "dall-e-3" ? ImageModelFamily.DallE3 : null;
    }

    public ImageGenRequest ToRequest(string prompt) => new(prompt, Model, Size, Quality, Style);

    private static string? Normalise(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant().Replace('×', 'x');
}
