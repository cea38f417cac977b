namespace Btcedu.Core.Llm;

/// <summary>
/// Token prices by model, from OpenAI's list prices. As with images, no call is made for a model without a
/// price, so spending is never untracked; <see cref="With"/> adds or overrides entries.
/// </summary>
public sealed class LlmPriceTable
{
    private readonly Dictionary<string, LlmPrice> _prices;

    private LlmPriceTable(Dictionary<string, LlmPrice> prices) => _prices = prices;

    public static LlmPriceTable Defaults { get; } = new(new Dictionary<string, LlmPrice>(StringComparer.Ordinal)
    {
        ["gpt-4o-mini"] = new(0.15m, 0.60m),
        ["gpt-4o"] = new(2.50m, 10.00m),
        ["gpt-4.1-mini"] = new(0.40m, 1.60m),
    });

    public bool TryGetPrice(string model, out LlmPrice price) => _prices.TryGetValue(Key(model), out price!);

    /// <summary>The model's price, or an InvalidData error before any call when there is none.</summary>
    public LlmPrice Require(string model) =>
        TryGetPrice(model, out var price) ? price : throw new BtceduException("LlmPriceUnknown", BtceduErrorKind.InvalidData,
            $"No token price for LLM model '{model}'; use one of {string.Join(", ", _prices.Keys.Order(StringComparer.Ordinal))} or add its price, so its spending is tracked.", model);

    public LlmPriceTable With(IEnumerable<(string Model, LlmPrice Price)> overrides)
    {
        var copy = new Dictionary<string, LlmPrice>(_prices, StringComparer.Ordinal);
        foreach (var (model, price) in overrides)
        {
            copy[Key(model)] = price;
        }
        return new LlmPriceTable(copy);
    }

    private static string Key(string model) => model.Trim().ToLowerInvariant();
}
