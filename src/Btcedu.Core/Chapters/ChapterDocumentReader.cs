using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Chapters;

/// <summary>A chapter document read from disk: the parsed model and the exact bytes it came from.</summary>
public sealed record ChapterDocumentFile(string Path, ChapterDocument Document, byte[] Content)
{
    /// <summary>"sha256:…" over the file's bytes; a re-import with another hash changes the episode.</summary>
    public string ContentHash { get; } = "sha256:" + Convert.ToHexString(SHA256.HashData(Content)).ToLowerInvariant();
}

/// <summary>
/// Reads and validates a chapter document against the contract in ARCHITECTURE.md. Every violation is
/// collected with its JSON path and reported at once; the document itself is never rewritten.
/// </summary>
public static class ChapterDocumentReader
{
    /// <summary>A chapter document is text for a few hours of video; anything bigger is a mistake, not an episode.</summary>
    public const long MaxFileBytes = 5 * 1024 * 1024;

    /// <summary>The reader's nesting limit; the contract needs 4 levels (document, chapters, chapter, overlay).</summary>
    public const int MaxDepth = 32;

    public static ChapterDocumentFile ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            // Checked before opening: a FIFO would block the open, and /dev/zero would be read until memory ran out.
            switch (FileKinds.Of(path))
            {
                case FileKind.Missing:
                    throw new BtceduException("ChapterFileNotFound", BtceduErrorKind.ObjectNotFound, $"Chapter document '{path}' does not exist.", path);
                case FileKind.Directory:
                    throw new BtceduException("ChapterFileIsDirectory", BtceduErrorKind.InvalidArgument,
                        $"'{path}' is a directory; give the path of a chapter document (a chapters.json file).", path);
                case FileKind.Other:
                    throw new BtceduException("ChapterFileNotRegular", BtceduErrorKind.InvalidArgument,
                        $"'{path}' is not a regular file (it is a FIFO, socket or device); only regular files are read as chapter documents.", path);
            }
            var length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
            {
                throw TooLarge(path, string.Create(CultureInfo.InvariantCulture, $"the file is {length / 1024.0 / 1024.0:0.0} MB"));
            }
            // Capped all the same: the file may grow between the check and the read.
            bytes = FileKinds.ReadCapped(path, MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BtceduException("ChapterFileUnreadable", BtceduErrorKind.ReadError, $"Chapter document '{path}' could not be read: {e.Message}", path, e);
        }
        if (bytes.Length > MaxFileBytes)
        {
            throw TooLarge(path, "the file is larger than that");
        }
        return new ChapterDocumentFile(path, Parse(bytes, path), bytes);
    }

    private static ChapterDocumentException TooLarge(string path, string size) =>
        new(path, [new("", string.Create(CultureInfo.InvariantCulture, $"{size}; a chapter document may be at most {MaxFileBytes / 1024 / 1024} MB."))]);

    public static ChapterDocument Parse(ReadOnlySpan<byte> utf8, string source)
    {
        if (utf8.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            throw Fail(source, "", "the file starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM.");
        }
        if (utf8.StartsWith(new byte[] { 0xFF, 0xFE }) || utf8.StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            throw Fail(source, "", "the file is UTF-16; save it as UTF-8 without BOM.");
        }
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(source, "", "the file is not valid UTF-8 text; save it as UTF-8 without BOM.");
        }

        CheckSyntax(utf8, source);
        using var json = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
        var v = new Validator();
        // Keys and strings are checked on their own first: the typed reads below would throw on a lone surrogate.
        v.CheckKeysAndStrings(json.RootElement, "");
        if (v.Problems.Count > 0)
        {
            throw new ChapterDocumentException(source, v.Problems);
        }
        var document = v.Document(json.RootElement);
        if (v.Problems.Count > 0 || document is null)
        {
            throw new ChapterDocumentException(source, v.Problems);
        }
        return document;
    }

    /// <summary>
    /// Scans the tokens once so that syntax errors and excessive nesting get their own messages (JsonDocument
    /// reports both as one kind of JsonException).
    /// </summary>
    private static void CheckSyntax(ReadOnlySpan<byte> utf8, string source)
    {
        // The scan's own limit is far above ours so that depth is ours to report; the reader keeps a bit per level, not a stack frame.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = int.MaxValue / 2 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= MaxDepth)
                {
                    throw Fail(source, "", string.Create(CultureInfo.InvariantCulture,
                        $"the document is nested too deeply: more than {MaxDepth} levels of objects and arrays (at byte {reader.TokenStartIndex + 1})."));
                }
            }
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}")
                : "unknown position";
            throw Fail(source, "", $"the file is not valid JSON ({where}).");
        }
    }

    private static ChapterDocumentException Fail(string source, string path, string message) => new(source, [new ChapterProblem(path, message)]);

    private sealed class Validator
    {
        private static readonly string[] OverlayTypes = ["lower_third", "title", "quote", "statistic"];
        private static readonly string[] Transitions = ["fade", "cut", "dissolve"];
        private static readonly string VisualTypeNames = string.Join(", ", Enum.GetNames<VisualType>());

        public List<ChapterProblem> Problems { get; } = [];

        private void Problem(string path, string message) => Problems.Add(new ChapterProblem(path, message));

        /// <summary>Every key once per object (JSON readers disagree on which duplicate wins), every string valid UTF-16.</summary>
        public void CheckKeysAndStrings(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    var i = 0;
                    foreach (var property in element.EnumerateObject())
                    {
                        string name;
                        try
                        {
                            name = property.Name;
                        }
                        catch (InvalidOperationException)
                        {
                            Problem(path, string.Create(CultureInfo.InvariantCulture, $"key number {i + 1} contains an invalid \\u escape (a lone surrogate); escapes must form whole characters."));
                            i++;
                            continue;
                        }
                        var at = Join(path, name);
                        if (!seen.Add(name))
                        {
                            Problem(at, "appears more than once in the same object; each key may appear once.");
                        }
                        CheckKeysAndStrings(property.Value, at);
                        i++;
                    }
                    break;
                case JsonValueKind.Array:
                    var j = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        CheckKeysAndStrings(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{j++}]"));
                    }
                    break;
                case JsonValueKind.String:
                    try
                    {
                        _ = element.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        Problem(path, "contains an invalid \\u escape (a lone surrogate such as \\ud800); escapes must form whole characters.");
                    }
                    break;
            }
        }

        public ChapterDocument? Document(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Problem("", $"the document must be a JSON object, not {Describe(root)}.");
                return null;
            }

            var schema = String(root, "", "schema_version");
            if (schema is not null)
            {
                var parts = schema.Split('.');
                if (parts.Length != 2 || !parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)))
                {
                    Problem("schema_version", $"'{schema}' is not MAJOR.MINOR (e.g. 1.0).");
                }
                else if (parts[0] != "1")
                {
                    // Nothing else is trustworthy in a document of another major version.
                    Problem("schema_version", $"major version {parts[0]} is not supported; this module reads schema_version 1.x.");
                    return null;
                }
            }

            var episodeId = String(root, "", "episode_id");
            if (episodeId is not null && Identifier.Problem(episodeId) is { } badEpisodeId)
            {
                Problem("episode_id", badEpisodeId);
            }
            var title = String(root, "", "title");
            var total = Int(root, "", "total_chapters", min: 1);
            var duration = Int(root, "", "estimated_duration_seconds", min: 1);

            var chapters = new List<Chapter>();
            if (Required(root, "", "chapters", JsonValueKind.Array) is { } array)
            {
                var i = 0;
                foreach (var element in array.EnumerateArray())
                {
                    if (Chapter(element, $"chapters[{i}]", episodeId ?? "") is { } chapter)
                    {
                        chapters.Add(chapter);
                    }
                    i++;
                }
                var count = array.GetArrayLength();
                if (count == 0)
                {
                    Problem("chapters", "there must be at least one chapter.");
                }
                if (total is not null && total != count)
                {
                    Problem("total_chapters", $"is {total} but the document has {count} chapters.");
                }
                CheckIdsAndOrder(array);
                if (duration is not null && chapters.Count == count && count > 0)
                {
                    // In long: chapters of int.MaxValue seconds each must be a mismatch, not an OverflowException.
                    var sum = chapters.Sum(c => (long)c.DurationSeconds);
                    if (Math.Abs(sum - duration.Value) > 5)
                    {
                        Problem("estimated_duration_seconds", $"is {duration} but the chapters add up to {sum} (they may differ by at most 5 s).");
                    }
                }
            }

            return Problems.Count == 0
                ? new ChapterDocument(schema!, episodeId!, title!, total!.Value, duration!.Value, chapters)
                : null;
        }

        private void CheckIdsAndOrder(JsonElement array)
        {
            // Ignoring case: ch02.png and CH02.png are one file on Windows and macOS.
            var seen = new Dictionary<string, (string Id, int Index)>(StringComparer.OrdinalIgnoreCase);
            var i = 0;
            foreach (var element in array.EnumerateArray())
            {
                if (element.ValueKind == JsonValueKind.Object)
                {
                    if (element.TryGetProperty("chapter_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { } s)
                    {
                        if (!seen.TryGetValue(s, out var first))
                        {
                            seen[s] = (s, i);
                        }
                        else if (string.Equals(first.Id, s, StringComparison.Ordinal))
                        {
                            Problem($"chapters[{i}].chapter_id", $"'{s}' is already used by chapters[{first.Index}]; chapter ids must be unique.");
                        }
                        else
                        {
                            Problem($"chapters[{i}].chapter_id", $"'{s}' differs only in case from '{first.Id}' (chapters[{first.Index}]); they would name the same image file on Windows and macOS, so chapter ids must differ in more than case.");
                        }
                    }
                    if (element.TryGetProperty("order", out var order) && order.ValueKind == JsonValueKind.Number && order.TryGetInt32(out var n) && n != i + 1)
                    {
                        Problem($"chapters[{i}].order", $"is {n} but must be {i + 1}: orders run 1, 2, 3… in document order.");
                    }
                }
                i++;
            }
        }

        private Chapter? Chapter(JsonElement c, string path, string episodeId)
        {
            if (c.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object, not {Describe(c)}.");
                return null;
            }
            var before = Problems.Count;
            var id = String(c, path, "chapter_id");
            if (id is not null && Identifier.Problem(id) is { } badId)
            {
                Problem($"{path}.chapter_id", badId);
            }
            var title = String(c, path, "title");
            var order = Int(c, path, "order", min: 1);

            string? narrationText = null;
            int? words = null, seconds = null;
            if (Required(c, path, "narration", JsonValueKind.Object) is { } narration)
            {
                var np = $"{path}.narration";
                narrationText = String(narration, np, "text");
                words = Int(narration, np, "word_count", min: 1);
                seconds = Int(narration, np, "estimated_duration_seconds", min: 1);
            }

            VisualType? visualType = null;
            string? description = null, imagePrompt = null;
            if (Required(c, path, "visual", JsonValueKind.Object) is { } visual)
            {
                var vp = $"{path}.visual";
                var type = String(visual, vp, "type");
                if (type is not null)
                {
                    if (Enum.TryParse<VisualType>(type, ignoreCase: false, out var vt) && Enum.IsDefined(vt) && !char.IsAsciiDigit(type[0]))
                    {
                        visualType = vt;
                    }
                    else
                    {
                        Problem($"{vp}.type", $"'{type}' is not one of {VisualTypeNames}.");
                    }
                }
                description = String(visual, vp, "description");
                imagePrompt = OptionalString(visual, vp, "image_prompt");
            }

            var overlays = new List<Overlay>();
            if (c.TryGetProperty("overlays", out var overlayArray) && overlayArray.ValueKind != JsonValueKind.Null)
            {
                if (overlayArray.ValueKind != JsonValueKind.Array)
                {
                    Problem($"{path}.overlays", $"must be an array, not {Describe(overlayArray)}.");
                }
                else
                {
                    var j = 0;
                    foreach (var o in overlayArray.EnumerateArray())
                    {
                        if (Overlay(o, $"{path}.overlays[{j}]") is { } overlay)
                        {
                            overlays.Add(overlay);
                        }
                        j++;
                    }
                }
            }

            string? tin = null, tout = null;
            if (Required(c, path, "transitions", JsonValueKind.Object) is { } transitions)
            {
                tin = OneOf(transitions, $"{path}.transitions", "in", Transitions);
                tout = OneOf(transitions, $"{path}.transitions", "out", Transitions);
            }
            var notes = OptionalString(c, path, "notes");

            if (Problems.Count != before)
            {
                return null;
            }
            return new Chapter
            {
                EpisodeId = episodeId,
                ChapterId = id!,
                Order = order!.Value,
                Title = title!,
                VisualType = visualType!.Value,
                VisualDescription = description!,
                ImagePrompt = string.IsNullOrWhiteSpace(imagePrompt) ? null : imagePrompt,
                NarrationText = narrationText!,
                WordCount = words!.Value,
                DurationSeconds = seconds!.Value,
                Overlays = overlays,
                TransitionIn = tin!,
                TransitionOut = tout!,
                Notes = notes,
            };
        }

        private Overlay? Overlay(JsonElement o, string path)
        {
            if (o.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object, not {Describe(o)}.");
                return null;
            }
            var type = OneOf(o, path, "type", OverlayTypes);
            var text = String(o, path, "text");
            var start = Number(o, path, "start_offset_seconds");
            var duration = Number(o, path, "duration_seconds");
            if (start < 0)
            {
                Problem($"{path}.start_offset_seconds", $"must be 0 or more, not {start.Value.ToString(CultureInfo.InvariantCulture)}.");
            }
            if (duration <= 0)
            {
                Problem($"{path}.duration_seconds", $"must be more than 0, not {duration.Value.ToString(CultureInfo.InvariantCulture)}.");
            }
            return type is null || text is null || start is null or < 0 || duration is null or <= 0 ? null : new Overlay(type, text, start.Value, duration.Value);
        }

        private JsonElement? Required(JsonElement parent, string path, string name, JsonValueKind kind)
        {
            var p = Join(path, name);
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
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

        private string? String(JsonElement parent, string path, string name)
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

        private string? OptionalString(JsonElement parent, string path, string name)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (value.ValueKind != JsonValueKind.String)
            {
                Problem(Join(path, name), $"must be a string or null, not {Describe(value)}.");
                return null;
            }
            return value.GetString();
        }

        private string? OneOf(JsonElement parent, string path, string name, string[] allowed)
        {
            var s = String(parent, path, name);
            if (s is not null && !allowed.Contains(s, StringComparer.Ordinal))
            {
                Problem(Join(path, name), $"'{s}' is not one of {string.Join(", ", allowed)}.");
                return null;
            }
            return s;
        }

        private int? Int(JsonElement parent, string path, string name, int min)
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

        private double? Number(JsonElement parent, string path, string name)
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

        private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

        private static string Article(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => kind.ToString().ToLowerInvariant(),
        };

        private static string Describe(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Null => "null",
            JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
            JsonValueKind.String => $"the string \"{Shorten(e.GetString()!)}\"",
            JsonValueKind.Number => $"the number {e.GetRawText()}",
            _ => Article(e.ValueKind),
        };

        private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
    }
}
