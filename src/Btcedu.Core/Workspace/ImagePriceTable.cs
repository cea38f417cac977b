using System.Globalization;

namespace Btcedu.Core.Workspace;

/// <summary>
/// Prices in USD per image, by model, size and quality. Defaults follow OpenAI's published list prices;
/// btcedu.yaml's <c>image_prices</c> overrides or extends them. No call is made for a combination without a price.
/// </summary>
public sealed class ImagePriceTable
{
    private readonly Dictionary<(string Model, string Size, string Quality), decimal> _prices;

    private ImagePriceTable(Dictionary<(string, string, string), decimal> prices) => _prices = prices;

    public static ImagePriceTable Defaults { get; } = CreateDefaults();

    public bool TryGetPrice(string model, string size, string quality, out decimal usd) =>
        _prices.TryGetValue((Key(model), Key(size), Key(quality)), out usd);

    public ImagePriceTable With(IEnumerable<(string Model, string Size, string Quality, decimal Usd)> overrides)
    {
        var copy = new Dictionary<(string, string, string), decimal>(_prices);
        foreach (var (model, size, quality, usd) in overrides)
        {
            copy[(Key(model), Key(size), Key(quality))] = usd;
        }
        return new ImagePriceTable(copy);
    }

    public override string ToString() =>
        string.Join("; ", _prices.OrderBy(p => p.Key).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key.Model} {p.Key.Size} {p.Key.Quality} ${p.Value}")));

    private static string Key(string s) => s.Trim().ToLowerInvariant();

    private static ImagePriceTable CreateDefaults()
    {
        var d = new Dictionary<(string, string, string), decimal>();
        void Add(string model, string size, string quality, decimal usd) => d[(model, size, quality)] = usd;

        Add("dall-e-3", "1024x1024", "standard", 0.040m);
        Add("dall-e-3", "1792x1024", "standard", 0.080m);
        Add("dall-e-3", "1024x1792", "standard", 0.080m);
        Add("dall-e-3", "1024x1024", "hd", 0.080m);
        Add("dall-e-3", "1792x1024", "hd", 0.120m);
        Add("dall-e-3", "1024x1792", "hd", 0.120m);

        void GptImage(string model, decimal squareLow, decimal squareMedium, decimal squareHigh, decimal wideLow, decimal wideMedium, decimal wideHigh)
        {
            Add(model, "1024x1024", "low", squareLow);
            Add(model, "1024x1024", "medium", squareMedium);
            Add(model, "1024x1024", "high", squareHigh);
            foreach (var size in new[] { "1536x1024", "1024x1536" })
            {
                Add(model, size, "low", wideLow);
                Add(model, size, "medium", wideMedium);
                Add(model, size, "high", wideHigh);
            }
            // "auto" lets the API choose; budget it as the most expensive choice so the cap still holds.
            Add(model, "1024x1024", "auto", squareHigh);
            Add(model, "1536x1024", "auto", wideHigh);
            Add(model, "1024x1536", "auto", wideHigh);
        }

        GptImage("gpt-image-1", 0.011m, 0.042m, 0.167m, 0.016m, 0.063m, 0.25m);
        GptImage("gpt-image-1-mini", 0.005m, 0.011m, 0.036m, 0.006m, 0.015m, 0.052m);
        GptImage("gpt-image-1.5", 0.009m, 0.034m, 0.133m, 0.013m, 0.05m, 0.2m);
        return new ImagePriceTable(d);
    }
}
