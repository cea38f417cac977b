using System.Globalization;

namespace Btcedu.Core.Models;

/// <summary>
/// An image model of the catalogue: its API shape, what it accepts, what it costs and its lifecycle. Sizes are
/// "WIDTHxHEIGHT". A model bills either per image (<see cref="PricePerImage"/>) or by tokens
/// (<see cref="TokenPrices"/> with <see cref="OutputTokens"/> to estimate a call before it is made).
/// </summary>
public sealed record ImageModel
{
    /// <summary>The gpt-image-2 family's size rule.</summary>
    public const int SizeStep = 16, MaxEdge = 3840, MaxAspectRatio = 3, MinPixels = 655_360, MaxPixels = 8_294_400;

    public required string Name { get; init; }
    public required ImageModelFamily Family { get; init; }
    /// <summary>The legal sizes of a fixed-size model, the default first; empty for a custom-size model.</summary>
    public IReadOnlyList<string> Sizes { get; init; } = [];
    public required string DefaultSize { get; init; }
    public required IReadOnlyList<string> Qualities { get; init; }
    public required string DefaultQuality { get; init; }
    public IReadOnlyList<string> Styles { get; init; } = [];
    /// <summary>size → quality → USD, for models billed per image.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>>? PricePerImage { get; init; }
    /// <summary>Token prices, for models billed by tokens.</summary>
    public TokenPrices? TokenPrices { get; init; }
    /// <summary>size → quality → expected image output tokens.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> OutputTokens { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, int>>();
    /// <summary>The rule that gives output tokens for any size (custom-size models); the table wins for a size it lists.</summary>
    public TokenRule? OutputTokenRule { get; init; }
    /// <summary>Cached-input prices per million (text, image), when published; shown, not used for estimates.</summary>
    public CachedInputPrices? CachedPrices { get; init; }
    /// <summary>Batch API prices per million, or null when the model is not confirmed to support the Batch API.</summary>
    public TokenPrices? BatchPrices { get; init; }
    /// <summary>Expected prompt tokens per call.</summary>
    public int InputTokens { get; init; } = 200;
    public ModelLifecycle Lifecycle { get; init; } = ModelLifecycle.None;

    public bool CustomSizes => Family == ImageModelFamily.GptImage2;

    /// <summary>Whether the catalogue confirms Batch API support: the flag is <c>batch_prices</c>, present only then.</summary>
    public bool SupportsBatch => BatchPrices is not null && TokenPrices is not null;

    /// <summary>
    /// The same model billed at its Batch API prices (every estimate and settlement then at those), or a
    /// BatchNotSupported error naming the model and the catalogue flag when it has none.
    /// </summary>
    public ImageModel AtBatchPrices() => SupportsBatch ? this with { TokenPrices = BatchPrices }
        : throw new BtceduException("BatchNotSupported", BtceduErrorKind.InvalidOperation,
            $"{Name} has no batch_prices in the model catalogue (models/models.yaml), so Batch API support is not confirmed for it; " +
            "run without -Batch, or set image_model to a model with batch_prices (Get-BtceduImageModel shows BatchSupported).", Name);

    /// <summary>Why <paramref name="size"/> is not legal for this model, or null when it is.</summary>
    public string? SizeProblem(string size)
    {
        if (!CustomSizes)
        {
            return Sizes.Contains(size, StringComparer.Ordinal) ? null : $"use one of {string.Join(", ", Sizes)}";
        }
        if (!TryParseSize(size, out var w, out var h))
        {
            return "write it as WIDTHxHEIGHT, e.g. 1920x1088";
        }
        var problems = new List<string>();
        if (w % SizeStep != 0 || h % SizeStep != 0)
        {
            problems.Add($"both edges must be multiples of {SizeStep}");
        }
        if (Math.Max(w, h) > MaxEdge)
        {
            problems.Add($"the long edge must be at most {MaxEdge}");
        }
        if (Math.Max(w, h) > MaxAspectRatio * (long)Math.Min(w, h))
        {
            problems.Add($"the ratio must be at most {MaxAspectRatio}:1");
        }
        var pixels = (long)w * h;
        if (pixels is < MinPixels or > MaxPixels)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"it must have {MinPixels:N0} to {MaxPixels:N0} pixels"));
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>
    /// What one call is expected to cost, to reserve against the cap; "auto" is budgeted as the dearest quality. A
    /// token-billed model's estimate comes from <paramref name="learned"/> when the workspace has paid for images of
    /// this size and quality, else from the catalogue. Null when unpriced.
    /// </summary>
    public decimal? EstimateUsd(string size, string quality, LearnedTokens? learned = null)
    {
        if (TokenPrices is { } prices && learned is not null)
        {
            return prices.Cost(new ImageTokenUsage(InputTokens, 0, learned.OutputTokens));
        }
        var candidates = quality == "auto" ? Qualities.Where(q => q != "auto").ToList() : [quality];
        decimal? worst = null;
        foreach (var q in candidates)
        {
            var usd = EstimateOne(size, q);
            if (usd is null)
            {
                return null;
            }
            worst = worst is null || usd > worst ? usd : worst;
        }
        return worst;
    }

    /// <summary>Where <see cref="EstimateUsd"/> takes its number from, for this size and quality.</summary>
    public EstimateSource EstimateSourceOf(string size, string quality, LearnedTokens? learned = null)
    {
        if (TokenPrices is null)
        {
            return EstimateSource.PublishedPrice;
        }
        if (learned is not null)
        {
            return EstimateSource.Ledger;
        }
        var q = quality == "auto" ? Qualities.Where(x => x != "auto").Last() : quality;
        return OutputTokens.TryGetValue(size, out var exact) && exact.ContainsKey(q) ? EstimateSource.PublishedTokens
            : OutputTokenRule is not null ? EstimateSource.TokenRule
            : EstimateSource.ScaledUpperBound;
    }

    /// <summary>Expected image output tokens for a size and quality (null when the catalogue cannot tell).</summary>
    public int? ExpectedOutputTokens(string size, string quality)
    {
        if (OutputTokens.TryGetValue(size, out var exact) && exact.TryGetValue(quality, out var tokens))
        {
            return tokens;
        }
        if (!TryParseSize(size, out var w, out var h))
        {
            return null;
        }
        if (OutputTokenRule is { } rule)
        {
            return rule.OutputTokens(w, h, quality);
        }
        // An unlisted size without a rule: the listed size with the most tokens per pixel, scaled. An upper bound, as a cap needs.
        double? perPixel = null;
        foreach (var (listed, byQuality) in OutputTokens)
        {
            if (byQuality.TryGetValue(quality, out var t) && TryParseSize(listed, out var lw, out var lh))
            {
                var ratio = (double)t / ((long)lw * lh);
                perPixel = perPixel is null || ratio > perPixel ? ratio : perPixel;
            }
        }
        return perPixel is null ? null : (int)Math.Ceiling(perPixel.Value * w * h);
    }

    /// <summary>The cost of a finished call: from its reported usage when the model bills by tokens, else the estimate.</summary>
    public decimal? CostUsd(string size, string quality, ImageTokenUsage? usage) =>
        TokenPrices is { } prices && usage is not null ? prices.Cost(usage) : EstimateUsd(size, quality);

    public static bool TryParseSize(string size, out int width, out int height)
    {
        width = height = 0;
        var x = size.IndexOf('x', StringComparison.Ordinal);
        return x > 0
            && int.TryParse(size.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out width)
            && int.TryParse(size.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out height)
            && width > 0 && height > 0;
    }

    private decimal? EstimateOne(string size, string quality)
    {
        if (PricePerImage is not null)
        {
            return PricePerImage.TryGetValue(size, out var byQuality) && byQuality.TryGetValue(quality, out var usd) ? usd : null;
        }
        if (TokenPrices is { } prices && ExpectedOutputTokens(size, quality) is { } output)
        {
            return prices.Cost(new ImageTokenUsage(InputTokens, 0, output));
        }
        return null;
    }
}
