using System.Globalization;
using System.Text.Json;

namespace Btcedu.Core.Workspace;

/// <summary>
/// Parses JSON that came from outside the module, refusing what JSON readers choke on or disagree about:
/// syntax errors and excessive nesting (each with its own message), keys that appear twice in one object,
/// and lone surrogate escapes. Problems go to the caller's <see cref="JsonFieldReader"/>, so that they read
/// like the typed reads that follow.
/// </summary>
internal static class StrictJson
{
    /// <returns>The parsed document, or null when <paramref name="fields"/> has recorded why not.</returns>
    public static JsonDocument? Parse(ReadOnlySpan<byte> utf8, int maxDepth, JsonFieldReader fields)
    {
        if (SyntaxProblem(utf8, maxDepth) is { } syntax)
        {
            fields.Problem("", syntax);
            return null;
        }
        var document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = maxDepth });
        var before = fields.Problems.Count;
        // Checked on their own first: a typed read would throw on a lone surrogate.
        CheckKeysAndStrings(document.RootElement, "", fields);
        if (fields.Problems.Count == before)
        {
            return document;
        }
        document.Dispose();
        return null;
    }

    /// <summary>
    /// Scans the tokens once so that syntax errors and excessive nesting get their own messages (JsonDocument
    /// reports both as one kind of JsonException).
    /// </summary>
    private static string? SyntaxProblem(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        // The scan's own limit is far above ours so that depth is ours to report; the reader keeps a bit per level, not a stack frame.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = int.MaxValue / 2 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= maxDepth)
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"the document is nested too deeply: more than {maxDepth} levels of objects and arrays (at byte {reader.TokenStartIndex + 1}).");
                }
            }
            return null;
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}")
                : "unknown position";
            return $"the file is not valid JSON ({where}).";
        }
    }

    /// <summary>Every key once per object (JSON readers disagree on which duplicate wins), every string valid UTF-16.</summary>
    private static void CheckKeysAndStrings(JsonElement element, string path, JsonFieldReader fields)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(element, path, fields);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckKeysAndStrings(item, JsonFieldReader.Item(path, i++), fields);
                }
                break;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                }
                catch (InvalidOperationException)
                {
                    fields.Problem(path, "contains an invalid \\u escape (a lone surrogate such as \\ud800); escapes must form whole characters.");
                }
                break;
        }
    }

    private static void CheckObject(JsonElement element, string path, JsonFieldReader fields)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var property in element.EnumerateObject())
        {
            i++;
            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException)
            {
                fields.Problem(path, string.Create(CultureInfo.InvariantCulture,
                    $"key number {i} contains an invalid \\u escape (a lone surrogate); escapes must form whole characters."));
                continue;
            }
            var at = JsonFieldReader.Join(path, name);
            if (!seen.Add(name))
            {
                fields.Problem(at, "appears more than once in the same object; each key may appear once.");
            }
            CheckKeysAndStrings(property.Value, at, fields);
        }
    }
}
