using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Btcedu.Core.Models;

/// <summary>Reads catalogue entries into records. Every problem names the file, the line and the key.</summary>
internal static class ModelCatalogReader
{
    private static readonly string[] ImageFields =
        ["family", "sizes", "default_size", "qualities", "default_quality", "styles", "price_per_image", "token_prices", "output_tokens", "output_token_rule", "cached_input_prices", "batch_prices", "input_tokens", "deprecated", "shutdown", "replacement"];
    private static readonly string[] LlmFields = ["input", "output", "deprecated", "shutdown", "replacement"];

    public static ImageModel ReadImage(string name, IReadOnlyDictionary<string, CatalogField> fields)
    {
        var path = $"image_models.{name}";
        CheckKnown(fields, ImageFields, path);
        var familyField = Required(fields, "family", path);
        var family = Scalar(familyField, path) switch
        {
            "dall-e-3" => ImageModelFamily.DallE3,
            "gpt-image" => ImageModelFamily.GptImage,
            "gpt-image-2" => ImageModelFamily.GptImage2,
            var other => throw Invalid(familyField, $"{path}.family", $"unknown family '{other}'; use dall-e-3, gpt-image or gpt-image-2"),
        };

        var qualities = List(Required(fields, "qualities", path), $"{path}.qualities");
        var defaultQualityField = Required(fields, "default_quality", path);
        var defaultQuality = Scalar(defaultQualityField, path);
        if (!qualities.Contains(defaultQuality))
        {
            throw Invalid(defaultQualityField, $"{path}.default_quality", $"'{defaultQuality}' is not among its qualities ({string.Join(", ", qualities)})");
        }

        IReadOnlyList<string> sizes = [];
        string defaultSize;
        if (family == ImageModelFamily.GptImage2)
        {
            var f = Required(fields, "default_size", path);
            defaultSize = Size(f, $"{path}.default_size");
        }
        else
        {
            var f = Required(fields, "sizes", path);
            sizes = [.. List(f, $"{path}.sizes").Select(s => SizeText(f, s, $"{path}.sizes"))];
            defaultSize = fields.TryGetValue("default_size", out var d) ? Size(d, $"{path}.default_size") : sizes[0];
        }

        IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>>? perImage = null;
        TokenPrices? tokenPrices = null;
        if (fields.TryGetValue("price_per_image", out var pp) == fields.ContainsKey("token_prices"))
        {
            throw Invalid(familyField, path, "give exactly one of price_per_image or token_prices");
        }
        if (pp is not null)
        {
            perImage = Table(pp, $"{path}.price_per_image", (f, p) => Usd(f, p));
        }
        else
        {
            var tp = fields["token_prices"];
            var map = Mapping(tp, $"{path}.token_prices");
            CheckKnown(map, ["text_input", "image_input", "image_output"], $"{path}.token_prices");
            tokenPrices = new TokenPrices(
                Usd(Required(map, "text_input", $"{path}.token_prices"), $"{path}.token_prices.text_input"),
                Usd(Required(map, "image_input", $"{path}.token_prices"), $"{path}.token_prices.image_input"),
                Usd(Required(map, "image_output", $"{path}.token_prices"), $"{path}.token_prices.image_output"));
        }
        var outputTokens = fields.TryGetValue("output_tokens", out var ot)
            ? Table(ot, $"{path}.output_tokens", (f, p) => (int)Whole(f, p))
            : new Dictionary<string, IReadOnlyDictionary<string, int>>();
        TokenRule? rule = null;
        if (fields.TryGetValue("output_token_rule", out var rf))
        {
            var map = Mapping(rf, $"{path}.output_token_rule");
            CheckKnown(map, ["factors", "scale"], $"{path}.output_token_rule");
            var factors = QualityMap(Required(map, "factors", $"{path}.output_token_rule"), $"{path}.output_token_rule.factors", (f, p) => (int)Whole(f, p));
            var scale = map.TryGetValue("scale", out var sf) ? QualityMap(sf, $"{path}.output_token_rule.scale", Usd) : new Dictionary<string, decimal>();
            foreach (var q in qualities.Where(q => q != "auto" && !factors.ContainsKey(q)))
            {
                throw Invalid(rf, $"{path}.output_token_rule.factors", $"no factor for the quality {q}; give one for each of {string.Join(", ", qualities.Where(x => x != "auto"))}");
            }
            rule = new TokenRule(factors, scale);
        }
        if (tokenPrices is not null && outputTokens.Count == 0 && rule is null)
        {
            throw Invalid(fields["token_prices"], $"{path}.output_tokens", "a model billed by tokens needs output_tokens or output_token_rule to estimate its calls");
        }
        CachedInputPrices? cached = null;
        if (fields.TryGetValue("cached_input_prices", out var cf))
        {
            var map = Mapping(cf, $"{path}.cached_input_prices");
            CheckKnown(map, ["text_input", "image_input"], $"{path}.cached_input_prices");
            cached = new CachedInputPrices(
                Usd(Required(map, "text_input", $"{path}.cached_input_prices"), $"{path}.cached_input_prices.text_input"),
                Usd(Required(map, "image_input", $"{path}.cached_input_prices"), $"{path}.cached_input_prices.image_input"));
        }
        TokenPrices? batch = null;
        if (fields.TryGetValue("batch_prices", out var bf))
        {
            var map = Mapping(bf, $"{path}.batch_prices");
            CheckKnown(map, ["text_input", "image_input", "image_output"], $"{path}.batch_prices");
            batch = new TokenPrices(
                Usd(Required(map, "text_input", $"{path}.batch_prices"), $"{path}.batch_prices.text_input"),
                Usd(Required(map, "image_input", $"{path}.batch_prices"), $"{path}.batch_prices.image_input"),
                Usd(Required(map, "image_output", $"{path}.batch_prices"), $"{path}.batch_prices.image_output"));
        }

        return new ImageModel
        {
            Name = name,
            Family = family,
            Sizes = sizes,
            DefaultSize = defaultSize,
            Qualities = qualities,
            DefaultQuality = defaultQuality,
            Styles = fields.TryGetValue("styles", out var st) ? List(st, $"{path}.styles") : [],
            PricePerImage = perImage,
            TokenPrices = tokenPrices,
            OutputTokens = outputTokens,
            OutputTokenRule = rule,
            CachedPrices = cached,
            BatchPrices = batch,
            InputTokens = fields.TryGetValue("input_tokens", out var it) ? (int)Whole(it, $"{path}.input_tokens") : 200,
            Lifecycle = Lifecycle(fields, path),
        };
    }

    public static LlmModel ReadLlm(string name, IReadOnlyDictionary<string, CatalogField> fields)
    {
        var path = $"llm_models.{name}";
        CheckKnown(fields, LlmFields, path);
        return new LlmModel(name,
            Usd(Required(fields, "input", path), $"{path}.input"),
            Usd(Required(fields, "output", path), $"{path}.output"),
            Lifecycle(fields, path));
    }

    public static BtceduException Invalid(string file, YamlNode node, string key, string problem) =>
        new("InvalidModelCatalog", BtceduErrorKind.InvalidData, $"{file} line {node.Start.Line}: {key}: {problem}.", key);

    private static BtceduException Invalid(CatalogField field, string key, string problem) => Invalid(field.File, field.Value, key, problem);

    private static ModelLifecycle Lifecycle(IReadOnlyDictionary<string, CatalogField> fields, string path) => new(
        fields.TryGetValue("deprecated", out var d) ? Date(d, $"{path}.deprecated") : null,
        fields.TryGetValue("shutdown", out var s) ? Date(s, $"{path}.shutdown") : null,
        fields.TryGetValue("replacement", out var r) ? Scalar(r, $"{path}.replacement") : null);

    private static void CheckKnown(IReadOnlyDictionary<string, CatalogField> fields, string[] known, string path)
    {
        foreach (var (name, field) in fields)
        {
            if (!known.Contains(name))
            {
                throw Invalid(field.File, field.Key, $"{path}.{name}", $"unknown field; known fields: {string.Join(", ", known)}");
            }
        }
    }

    private static CatalogField Required(IReadOnlyDictionary<string, CatalogField> fields, string name, string path) =>
        fields.TryGetValue(name, out var f) ? f
        : throw new BtceduException("InvalidModelCatalog", BtceduErrorKind.InvalidData,
            $"{fields.Values.FirstOrDefault()?.File} line {fields.Values.FirstOrDefault()?.Key.Start.Line}: {path}: the field '{name}' is missing.", $"{path}.{name}");

    private static string Scalar(CatalogField f, string path) =>
        f.Value is YamlScalarNode { Value: { Length: > 0 } v } ? v.Trim() : throw Invalid(f, path, "must be a single value");

    private static IReadOnlyList<string> List(CatalogField f, string path) =>
        f.Value is YamlSequenceNode { Children.Count: > 0 } seq && seq.Children.All(c => c is YamlScalarNode { Value.Length: > 0 })
            ? [.. seq.Children.Select(c => ((YamlScalarNode)c).Value!.Trim().ToLowerInvariant())]
            : throw Invalid(f, path, "must be a non-empty list such as [low, medium, high]");

    private static Dictionary<string, CatalogField> Mapping(CatalogField f, string path) =>
        f.Value is YamlMappingNode map
            ? map.Children.ToDictionary(c => c.Key.ToString(), c => new CatalogField(c.Key, c.Value, f.File), StringComparer.Ordinal)
            : throw Invalid(f, path, "must be a mapping");

    /// <summary>size → quality → value.</summary>
    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, T>> Table<T>(CatalogField f, string path, Func<CatalogField, string, T> read)
    {
        var table = new Dictionary<string, IReadOnlyDictionary<string, T>>(StringComparer.Ordinal);
        foreach (var (size, byQuality) in Mapping(f, path))
        {
            var s = SizeText(byQuality, size, $"{path}.{size}");
            // Keys are compared as they are read (trimmed, lower case): 1024X1024 and 1024x1024 are one size.
            if (table.ContainsKey(s))
            {
                throw Invalid(byQuality.File, byQuality.Key, $"{path}.{size}", $"the size {s} appears more than once");
            }
            var row = new Dictionary<string, T>(StringComparer.Ordinal);
            foreach (var (quality, value) in Mapping(byQuality, $"{path}.{size}"))
            {
                var q = quality.Trim().ToLowerInvariant();
                if (!row.TryAdd(q, read(value, $"{path}.{size}.{quality}")))
                {
                    throw Invalid(value.File, value.Key, $"{path}.{size}.{quality}", $"the quality {q} appears more than once");
                }
            }
            table[s] = row;
        }
        return table;
    }

    /// <summary>quality → value.</summary>
    private static Dictionary<string, T> QualityMap<T>(CatalogField f, string path, Func<CatalogField, string, T> read)
    {
        var row = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (quality, value) in Mapping(f, path))
        {
            var q = quality.Trim().ToLowerInvariant();
            if (!row.TryAdd(q, read(value, $"{path}.{quality}")))
            {
                throw Invalid(value.File, value.Key, $"{path}.{quality}", $"the quality {q} appears more than once");
            }
        }
        return row;
    }

    private static string Size(CatalogField f, string path) => SizeText(f, Scalar(f, path), path);

    private static string SizeText(CatalogField f, string text, string path) =>
        ImageModel.TryParseSize(text.Trim().ToLowerInvariant(), out var w, out var h)
            ? string.Create(CultureInfo.InvariantCulture, $"{w}x{h}")
            : throw Invalid(f, path, $"'{text}' is not a size such as 1920x1088");

    private static decimal Usd(CatalogField f, string path)
    {
        var text = Scalar(f, path);
        // Invariant and strict: "0,05" is a mistake (a Turkish decimal comma), not five cents or five dollars.
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd)
            ? usd
            : throw Invalid(f, path, $"'{text}' is not a price in USD such as 0.04 (not negative; use a point, not a comma)");
    }

    private static long Whole(CatalogField f, string path)
    {
        var text = Scalar(f, path);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= int.MaxValue
            ? n
            : throw Invalid(f, path, $"'{text}' is not a whole number of tokens");
    }

    private static DateOnly Date(CatalogField f, string path)
    {
        var text = Scalar(f, path);
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw Invalid(f, path, $"'{text}' is not a date such as 2026-12-01");
    }
}
