using System.Globalization;
using System.Text.Json;

namespace Btcedu.Core.Workspace;

/// <summary>
/// Typed reads of the fields of JSON that came from outside the module. A read that fails records a problem at
/// the field's JSON path and returns null, so that a reader reports every violation at once, not the first.
/// </summary>
internal sealed class JsonFieldReader
{
    private readonly List<JsonProblem> _problems = [];

    /// <summary>Every problem recorded so far, in the order they were found.</summary>
    public IReadOnlyList<JsonProblem> Problems => _problems;

    public void Problem(string path, string message) => _problems.Add(new JsonProblem(path, message));

    /// <summary>The field, when it is present, not null, and of the given kind.</summary>
    public JsonElement? Required(JsonElement parent, string path, string name, JsonValueKind kind)
    {
        var p = Join(path, name);
        if (Present(parent, name) is not { } value)
        {
            Problem(p, "is required.");
            return null;
        }
        if (value.ValueKind != kind)
        {
            Problem(p, $"must be {Article(kind)}, not {Describe(value)}.");
            return null;
        }
        return value;
    }

    /// <summary>A required string with something in it besides white space.</summary>
    public string? String(JsonElement parent, string path, string name)
    {
        if (Required(parent, path, name, JsonValueKind.String) is not { } value)
        {
            return null;
        }
        var s = value.GetString()!;
        if (string.IsNullOrWhiteSpace(s))
        {
            Problem(Join(path, name), "must not be empty.");
            return null;
        }
        return s;
    }

    /// <summary>A string that may be missing or null (both read as null).</summary>
    public string? OptionalString(JsonElement parent, string path, string name) =>
        Optional(parent, path, name, JsonValueKind.String, "a string or null")?.GetString();

    /// <summary>An array that may be missing or null (both read as null).</summary>
    public JsonElement? OptionalArray(JsonElement parent, string path, string name) =>
        Optional(parent, path, name, JsonValueKind.Array, "an array");

    /// <summary>A required string from a fixed list, compared exactly.</summary>
    public string? OneOf(JsonElement parent, string path, string name, IReadOnlyList<string> allowed)
    {
        var s = String(parent, path, name);
        if (s is not null && !allowed.Contains(s, StringComparer.Ordinal))
        {
            Problem(Join(path, name), $"'{s}' is not one of {string.Join(", ", allowed)}.");
            return null;
        }
        return s;
    }

    /// <summary>A required whole number that fits an int and is at least <paramref name="min"/>.</summary>
    public int? Int(JsonElement parent, string path, string name, int min)
    {
        if (Required(parent, path, name, JsonValueKind.Number) is not { } value)
        {
            return null;
        }
        if (!value.TryGetInt32(out var n))
        {
            Problem(Join(path, name), $"must be a whole number, not {value.GetRawText()}.");
            return null;
        }
        if (n < min)
        {
            Problem(Join(path, name), $"must be at least {min}, not {n}.");
            return null;
        }
        return n;
    }

    /// <summary>A required finite number of seconds.</summary>
    public double? Seconds(JsonElement parent, string path, string name)
    {
        if (Required(parent, path, name, JsonValueKind.Number) is not { } value)
        {
            return null;
        }
        // 1e400 is valid JSON but no double: refused here rather than thrown as a FormatException.
        if (!value.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            Problem(Join(path, name), $"must be a finite number of seconds, not {value.GetRawText()}.");
            return null;
        }
        return d;
    }

    private JsonElement? Optional(JsonElement parent, string path, string name, JsonValueKind kind, string expected)
    {
        if (Present(parent, name) is not { } value)
        {
            return null;
        }
        if (value.ValueKind != kind)
        {
            Problem(Join(path, name), $"must be {expected}, not {Describe(value)}.");
            return null;
        }
        return value;
    }

    /// <summary>A missing field and a null one read alike: the contract treats both as absent.</summary>
    private static JsonElement? Present(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>The path of a field: <c>name</c> at the top, <c>path.name</c> below it.</summary>
    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>The path of an array item: <c>path[index]</c>.</summary>
    public static string Item(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    /// <summary>What a value is, for a message: "null", "the number 3", "the string \"…\"", "an array"…</summary>
    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        JsonValueKind.String => $"the string \"{Shorten(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        _ => Article(e.ValueKind),
    };

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
