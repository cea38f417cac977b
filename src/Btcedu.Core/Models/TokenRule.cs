namespace Btcedu.Core.Models;

/// <summary>
/// How many image output tokens a call of a custom-size model bills, as a rule instead of a table: for a quality's
/// factor f and an image of W×H with short and long edges, s = floor((2·f·short + long) / (2·long)) and
/// tokens = ceil(f·s·(2,000,000 + W·H) / 4,000,000), then times the quality's scale. With f = 16 / 48 / 96 it
/// reproduces OpenAI's published gpt-image-2 table exactly (pinned by a test). The factors and scales are catalogue
/// data (<c>output_token_rule</c>), so a model that bills other counts is an edit of models.yaml.
/// </summary>
public sealed record TokenRule(IReadOnlyDictionary<string, int> Factors, IReadOnlyDictionary<string, decimal> Scale)
{
    private const long BasePixels = 2_000_000, Divisor = 4_000_000;

    /// <summary>The output tokens of one image, or null when the rule has no factor for the quality.</summary>
    public int? OutputTokens(int width, int height, string quality)
    {
        if (!Factors.TryGetValue(quality, out var f) || width <= 0 || height <= 0)
        {
            return null;
        }
        long shortEdge = Math.Min(width, height), longEdge = Math.Max(width, height);
        var s = ((2L * f * shortEdge) + longEdge) / (2L * longEdge);
        var numerator = f * s * (BasePixels + ((long)width * height));
        var tokens = (numerator + Divisor - 1) / Divisor;
        var scale = Scale.TryGetValue(quality, out var k) ? k : 1m;
        return (int)Math.Ceiling(tokens * scale);
    }
}
