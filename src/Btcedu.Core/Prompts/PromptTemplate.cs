using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Btcedu.Core.Prompts;

/// <summary>
/// A prompt template file: YAML frontmatter (name, model, temperature, max_tokens, description, author), a
/// system part, a line <c>---user---</c>, and a user part. Variables are written <c>{{ name }}</c>.
/// </summary>
public sealed partial record PromptTemplate
{
    public const string UserSeparator = "---user---";

    public required string Name { get; init; }
    public required string Model { get; init; }
    public required double Temperature { get; init; }
    public required int MaxTokens { get; init; }
    public string? Description { get; init; }
    public string? Author { get; init; }
    public required string System { get; init; }
    public required string User { get; init; }
    public required string FilePath { get; init; }
    /// <summary>"sha256:…" over the file's bytes.</summary>
    public required string ContentHash { get; init; }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();

    public IReadOnlySet<string> Variables =>
        Variable().Matches(System + "\n" + User).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    public static PromptTemplate Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new BtceduException("PromptTemplateNotFound", BtceduErrorKind.ObjectNotFound, $"Prompt template '{path}' does not exist.", path);
        }
        var bytes = File.ReadAllBytes(path);
        return Parse(Encoding.UTF8.GetString(bytes), path, Workspace.ContentHash.Of(bytes));
    }

    internal static PromptTemplate Parse(string text, string path, string hash)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\uFEFF');
        if (!text.StartsWith("---\n", StringComparison.Ordinal))
        {
            throw Invalid(path, "it must start with YAML frontmatter between '---' lines.");
        }
        var end = text.IndexOf("\n---\n", 3, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Invalid(path, "its frontmatter has no closing '---' line.");
        }
        var front = ReadFrontmatter(text[4..end], path);
        var body = text[(end + 5)..];
        var split = body.Split("\n" + UserSeparator + "\n", 2, StringSplitOptions.None);
        if (split.Length != 2)
        {
            throw Invalid(path, $"its body needs a line '{UserSeparator}' between the system and the user part.");
        }

        string Required(string key) => front.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v : throw Invalid(path, $"frontmatter key '{key}' is required.");
        var temperature = double.TryParse(Required("temperature"), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t is >= 0 and <= 2
            ? t : throw Invalid(path, "frontmatter 'temperature' must be a number from 0 to 2.");
        var maxTokens = int.TryParse(Required("max_tokens"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) && m > 0
            ? m : throw Invalid(path, "frontmatter 'max_tokens' must be a positive whole number.");
        return new PromptTemplate
        {
            Name = Required("name"),
            Model = Required("model"),
            Temperature = temperature,
            MaxTokens = maxTokens,
            Description = front.GetValueOrDefault("description"),
            Author = front.GetValueOrDefault("author"),
            System = split[0].Trim(),
            User = split[1].Trim(),
            FilePath = path,
            ContentHash = hash,
        };
    }

    /// <summary>Fills every <c>{{ name }}</c>; a variable without a value is an error, never an empty gap.</summary>
    public (string System, string User) Render(IReadOnlyDictionary<string, string> values)
    {
        var missing = Variables.Where(v => !values.ContainsKey(v)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new BtceduException("PromptVariableMissing", BtceduErrorKind.InvalidData,
                $"Prompt template '{Name}' ({FilePath}) needs {string.Join(", ", missing.Select(v => "{{ " + v + " }}"))}, which the caller did not supply.", Name);
        }
        string Fill(string s) => Variable().Replace(s, match => values[match.Groups[1].Value]);
        return (Fill(System), Fill(User));
    }

    private static Dictionary<string, string> ReadFrontmatter(string yaml, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw Invalid(path, $"its frontmatter is not valid YAML (line {e.Start.Line + 1}).");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            throw Invalid(path, "its frontmatter must be a mapping of key: value.");
        }
        return map.Children.ToDictionary(p => p.Key.ToString(), p => (p.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal);
    }

    private static BtceduException Invalid(string path, string message) =>
        new("InvalidPromptTemplate", BtceduErrorKind.InvalidData, $"Prompt template '{path}' is not usable: {message}", path);
}
