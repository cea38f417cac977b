using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Btcedu.Core.Workspace;

/// <summary>
/// Reads settings in rising precedence: defaults, <c>btcedu.yaml</c> in the workspace root, then
/// <c>BTCEDU_*</c> (and OPENAI_API_KEY / OPENAI_BASE_URL) environment variables. A bad key or value is
/// an InvalidData error naming the key and where it came from (file and line, or variable).
/// </summary>
public static class SettingsLoader
{
    private delegate BtceduSettings Apply(BtceduSettings s, string value, string where);

    private static readonly Dictionary<string, Apply> Scalars = new(StringComparer.Ordinal)
    {
        ["openai_base_url"] = (s, v, w) => s with { OpenAiBaseUrl = ParseUrl(v, "openai_base_url", w) },
        ["openai_api_key"] = (s, v, w) => s with { OpenAiApiKey = string.IsNullOrWhiteSpace(v) ? null : new Secret(v.Trim()) },
        ["image_model"] = (s, v, w) => s with { ImageModel = NonEmpty(v, "image_model", w).ToLowerInvariant() },
        ["image_size"] = (s, v, w) => s with { ImageSize = ParseSize(v, w) },
        ["image_quality"] = (s, v, w) => s with { ImageQuality = NonEmpty(v, "image_quality", w).ToLowerInvariant() },
        ["image_style"] = (s, v, w) => s with { ImageStyle = NonEmpty(v, "image_style", w).ToLowerInvariant() },
        ["image_style_prefix"] = (s, v, w) => s with { ImageStylePrefix = v.Trim() },
        ["image_throttle_limit"] = (s, v, w) => s with { ImageThrottleLimit = ParseInt(v, "image_throttle_limit", w, 1, 64) },
        ["image_timeout_seconds"] = (s, v, w) => s with { ImageTimeoutSeconds = ParseInt(v, "image_timeout_seconds", w, 1, 3600) },
        ["image_rate_limit_per_minute"] = (s, v, w) => s with { ImageRateLimitPerMinute = ParseInt(v, "image_rate_limit_per_minute", w, 1, 100_000) },
        ["llm_model"] = (s, v, w) => s with { LlmModel = NonEmpty(v, "llm_model", w) },
        ["max_episode_cost_usd"] = (s, v, w) => s with { MaxEpisodeCostUsd = ParseUsd(v, "max_episode_cost_usd", w) },
    };

    public static IReadOnlyCollection<string> Keys { get; } = [.. Scalars.Keys, "image_models", "llm_models"];

    public static BtceduSettings Load(WorkspacePaths paths, IReadOnlyDictionary<string, string?> environment)
    {
        var settings = new BtceduSettings();
        if (File.Exists(paths.SettingsFile))
        {
            settings = ApplyYaml(settings, paths.SettingsFile);
        }
        return ApplyEnvironment(settings, environment);
    }

    /// <summary>The process environment as the loader wants it.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            result[(string)e.Key] = e.Value as string;
        }
        return result;
    }

    internal static BtceduSettings ApplyEnvironment(BtceduSettings settings, IReadOnlyDictionary<string, string?> environment)
    {
        // The standard OpenAI variables come first so that the BTCEDU_ spelling wins when both are set.
        foreach (var (variable, key) in new[] { ("OPENAI_BASE_URL", "openai_base_url"), ("OPENAI_API_KEY", "openai_api_key") })
        {
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value))
            {
                settings = Scalars[key](settings, value, $"environment variable {variable}");
            }
        }
        foreach (var (key, apply) in Scalars)
        {
            var variable = "BTCEDU_" + key.ToUpperInvariant();
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value))
            {
                settings = apply(settings, value, $"environment variable {variable}");
            }
        }
        return settings;
    }

    internal static BtceduSettings ApplyYaml(BtceduSettings settings, string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file, System.Text.Encoding.UTF8);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw Invalid($"{file} line {e.Start.Line}: {e.Message}", file);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return settings;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Invalid($"{file} line {stream.Documents[0].RootNode.Start.Line}: the settings file must be a mapping of key: value.", file);
        }

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var where = $"{file} line {keyNode.Start.Line}";
            if (key is "image_models" or "llm_models")
            {
                settings = settings with { Models = settings.Models.With(key, valueNode, file) };
                continue;
            }
            if (key is "image_prices" or "llm_prices")
            {
                throw Invalid($"{where}: '{key}' was replaced by the model catalogue; give prices under {key.Replace("_prices", "_models", StringComparison.Ordinal)}.<model> in btcedu.yaml, in the shape of the shipped models/models.yaml.", key);
            }
            if (!Scalars.TryGetValue(key, out var apply))
            {
                throw Invalid($"{where}: unknown setting '{key}'. Known settings: {string.Join(", ", Keys.Order(StringComparer.Ordinal))}.", key);
            }
            if (valueNode is not YamlScalarNode scalar)
            {
                throw Invalid($"{where}: setting '{key}' must be a single value, not a list or mapping.", key);
            }
            settings = apply(settings, scalar.Value ?? "", $"{where}, setting '{key}'");
        }
        return settings;
    }

    private static string NonEmpty(string value, string key, string where) =>
        string.IsNullOrWhiteSpace(value) ? throw Invalid($"{where}: '{key}' must not be empty.", key) : value.Trim();

    private static int ParseInt(string value, string key, string where, int min, int max)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw Invalid($"{where}: '{key}' must be a whole number from {min} to {max}, not '{value}'.", key);
        }
        return n;
    }

    private static decimal ParseUsd(string value, string key, string where)
    {
        if (!decimal.TryParse(value.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var usd) || usd < 0)
        {
            throw Invalid($"{where}: '{key}' must be an amount in USD such as 10 or 2.50, not '{value}'.", key);
        }
        return usd;
    }

    private static Uri ParseUrl(string value, string key, string where)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw Invalid($"{where}: '{key}' must be an http(s) URL such as https://api.openai.com/v1, not '{value}'.", key);
        }
        return uri;
    }

    internal static string ParseSize(string value, string where)
    {
        var parts = value.Trim().ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) || w <= 0 || h <= 0)
        {
            throw Invalid($"{where}: image size must look like 1536x1024, not '{value}'.", "image_size");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{w}x{h}");
    }

    private static BtceduException Invalid(string message, object target) =>
        new("InvalidSetting", BtceduErrorKind.InvalidData, message, target);
}
