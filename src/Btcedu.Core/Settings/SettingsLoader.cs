using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Settings;

/// <summary>
/// Reads settings in rising precedence: defaults, <c>btcedu.yaml</c> in the workspace root, then
/// <c>BTCEDU_*</c> (and OPENAI_API_KEY / OPENAI_BASE_URL) environment variables. A bad key or value is
/// an InvalidData error naming the key and where it came from (file and line, or variable). What is
/// suspicious but harmless (an unknown <c>BTCEDU_*</c> variable) comes back in <see cref="BtceduSettings.Warnings"/>.
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
        ["image_history_keep"] = (s, v, w) => s with { ImageHistoryKeep = ParseInt(v, "image_history_keep", w, 1, 1000) },
        ["max_episode_cost_usd"] = (s, v, w) => s with { MaxEpisodeCostUsd = ParseUsd(v, "max_episode_cost_usd", w) },
        ["brand_cards"] = (s, v, w) => s with { BrandCards = ParseBool(v, "brand_cards", w) },
        ["title_card_template"] = (s, v, w) => s with { TitleCardTemplate = NonEmpty(v, "title_card_template", w).Trim() },
        ["talking_head_template"] = (s, v, w) => s with { TalkingHeadTemplate = NonEmpty(v, "talking_head_template", w).Trim() },
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

        // A misspelt variable would otherwise be ignored without a word, and the run would use the default.
        var known = Scalars.Keys.Select(k => "BTCEDU_" + k.ToUpperInvariant()).ToList();
        var warnings = new List<string>(settings.Warnings);
        foreach (var variable in environment.Keys.Where(v => v.StartsWith(EnvironmentPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            if (known.Contains(variable, StringComparer.Ordinal) || NotSettings.Contains(variable, StringComparer.Ordinal))
            {
                continue;
            }
            var yamlOnly = Keys.FirstOrDefault(k => string.Equals("BTCEDU_" + k.ToUpperInvariant(), variable, StringComparison.Ordinal));
            warnings.Add(yamlOnly is not null
                ? $"Environment variable {variable} is ignored: '{yamlOnly}' can be set only in btcedu.yaml."
                : $"Environment variable {variable} is not a Btcedu setting and is ignored. Did you mean {Closest(variable, known)}?");
        }
        return settings with { Warnings = warnings };
    }

    private const string EnvironmentPrefix = "BTCEDU_";

    /// <summary>BTCEDU_* variables that are not settings but are read elsewhere (the second by a test hook only).</summary>
    private static readonly string[] NotSettings = ["BTCEDU_ROOT", InternalHooks.KillAtVariable];

    private static string Closest(string variable, IEnumerable<string> candidates) =>
        candidates.OrderBy(c => EditDistance(variable, c)).ThenBy(c => c, StringComparer.Ordinal).First();

    /// <summary>Levenshtein distance, ordinal: the typo's distance to each known name.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    internal static BtceduSettings ApplyYaml(BtceduSettings settings, string file)
    {
        var text = ReadSettingsText(file);
        var stream = new YamlStream();
        try
        {
            // Checked on the parser's events first, because YamlStream itself would expand an alias bomb.
            CheckShape(text, file);
            stream.Load(new StringReader(text));
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
            var where = $"{file} line {keyNode.Start.Line}";
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                throw Invalid($"{where}: a setting's name must be a plain key such as image_model, not a list, mapping or empty string.", file);
            }
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

    /// <summary>A settings file is a few dozen lines; these bounds keep a hostile one from costing time or memory.</summary>
    internal const int MaxFileBytes = 1024 * 1024;
    internal const int MaxNodes = 10_000;
    internal const int MaxDepth = 32;

    private static string ReadSettingsText(string file)
    {
        byte[] bytes;
        try
        {
            if (FileKinds.Of(file) != FileKind.Regular)
            {
                throw Invalid($"{file} is not a regular file; the settings file must be a plain text file.", file);
            }
            bytes = FileKinds.ReadCapped(file, MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BtceduException("SettingsUnreadable", BtceduErrorKind.ReadError, $"{file} could not be read: {e.Message}", file, e);
        }
        if (bytes.Length > MaxFileBytes)
        {
            throw Invalid($"{file} is larger than {MaxFileBytes / 1024 / 1024} MB; a settings file is a few lines of key: value.", file);
        }
        try
        {
            // Strict: a stray Latin-1 byte must not turn into U+FFFD and travel to the API in a prompt.
            var text = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (System.Text.DecoderFallbackException e)
        {
            var line = 1 + bytes.AsSpan(0, Math.Max(0, Math.Min(e.Index, bytes.Length))).Count((byte)'\n');
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{file} line {line}: the file is not valid UTF-8 text; save it as UTF-8."), file);
        }
    }

    /// <summary>
    /// Refuses, before any node is built, what no settings file needs: a second document, nesting deeper than
    /// <see cref="MaxDepth"/>, or more than <see cref="MaxNodes"/> nodes once aliases are expanded (a "billion
    /// laughs" file is a few KB that expands to millions of nodes).
    /// </summary>
    private static void CheckShape(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var anchored = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<(string? Anchor, long NodesBefore)>();
        long nodes = 0;
        var documents = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart start when ++documents > 1:
                    throw Invalid($"{file} line {start.Start.Line}: a second YAML document ('---') is not allowed; the settings file is one mapping of key: value.", file);
                case Scalar scalar:
                    nodes++;
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchored[scalar.Anchor.Value] = 1;
                    }
                    break;
                case NodeEvent node and (MappingStart or SequenceStart):
                    nodes++;
                    open.Push((node.Anchor.IsEmpty ? null : node.Anchor.Value, nodes));
                    if (open.Count > MaxDepth)
                    {
                        throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{file} line {node.Start.Line}: the settings are nested more than {MaxDepth} levels deep."), file);
                    }
                    break;
                case MappingEnd or SequenceEnd:
                    var (anchor, before) = open.Pop();
                    if (anchor is not null)
                    {
                        anchored[anchor] = nodes - before + 1;
                    }
                    break;
                case AnchorAlias alias:
                    nodes += anchored.GetValueOrDefault(alias.Value.Value, 1);
                    break;
            }
            if (nodes > MaxNodes)
            {
                throw Invalid(string.Create(CultureInfo.InvariantCulture,
                    $"{file} line {parser.Current!.Start.Line}: the settings expand to more than {MaxNodes} values (YAML aliases '*name' repeat what an anchor '&name' holds); write the settings out without nested aliases."), file);
            }
        }
    }

    private static string NonEmpty(string value, string key, string where) =>
        string.IsNullOrWhiteSpace(value) ? throw Invalid($"{where}: '{key}' must not be empty.", key) : value.Trim();

    // Numbers are read invariantly and strictly: digits and at most one decimal point, nothing else. A Turkish
    // "0,1" must never become 1 (thousands separators) or 0.1 by guesswork: it is an error that says what to write.
    private static int ParseInt(string value, string key, string where, int min, int max)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{where}: '{key}' must be a whole number from {min} to {max} (digits only), not '{value}'."), key);
        }
        return n;
    }

    private static bool ParseBool(string value, string key, string where) => value.Trim() switch
    {
        "true" => true,
        "false" => false,
        _ => throw Invalid($"{where}: '{key}' must be true or false, not '{value}'.", key),
    };

    private static decimal ParseUsd(string value, string key, string where)
    {
        var text = value.Trim();
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd))
        {
            var hint = text.Count(c => c == ',') == 1 && !text.Contains('.', StringComparison.Ordinal)
                ? $" Write decimals with a point: use '{text.Replace(',', '.')}', not '{text}'."
                : "";
            throw Invalid($"{where}: '{key}' must be an amount in USD with a decimal point and no thousands separators, such as 10 or 2.50, not '{value}'.{hint}", key);
        }
        return usd;
    }

    private static Uri ParseUrl(string value, string key, string where)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            // The rejected value is shown without anything between "//" and "@": that part may hold a password.
            var shown = System.Text.RegularExpressions.Regex.Replace(value, "//[^/@]*@", "//" + OpenAi.SecretScrubber.Mask + "@");
            throw Invalid($"{where}: '{key}' must be an http(s) URL such as https://api.openai.com/v1, not '{shown}'.", key);
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
