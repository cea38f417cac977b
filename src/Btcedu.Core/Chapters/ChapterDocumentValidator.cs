using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Chapters;

/// <summary>
/// Reads a parsed chapter document and checks the rules that span it: schema_version, the episode's fields,
/// total_chapters against the chapters, unique chapter ids, order 1..n and the episode's duration against the
/// chapters' sum. Each chapter's own fields are <see cref="ChapterMapper"/>'s.
/// </summary>
internal sealed class ChapterDocumentValidator(JsonFieldReader fields)
{
    /// <summary>The episode's duration may differ from the chapters' sum by this much (rounding upstream).</summary>
    private const long DurationToleranceSeconds = 5;

    private readonly ChapterMapper _mapper = new(fields);

    /// <returns>The document, or null when any problem was recorded.</returns>
    public ChapterDocument? Validate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            fields.Problem("", $"the document must be a JSON object, not {JsonFieldReader.Describe(root)}.");
            return null;
        }
        var schema = fields.String(root, "", "schema_version");
        if (!IsReadableSchema(schema))
        {
            return null;
        }
        var episodeId = EpisodeId(root);
        var title = fields.String(root, "", "title");
        var total = fields.Int(root, "", "total_chapters", min: 1);
        var duration = fields.Int(root, "", "estimated_duration_seconds", min: 1);

        var chapters = new List<Chapter>();
        if (fields.Required(root, "", "chapters", JsonValueKind.Array) is { } array)
        {
            chapters = Chapters(array, episodeId ?? "");
            var count = array.GetArrayLength();
            CheckCount(count, total);
            CheckIdsAndOrder(array);
            // Only when every chapter read: a sum over some of them would report a mismatch that is not there.
            if (chapters.Count == count && count > 0)
            {
                CheckDuration(duration, chapters);
            }
        }

        return fields.Problems.Count == 0
            ? new ChapterDocument(schema!, episodeId!, title!, total!.Value, duration!.Value, chapters)
            : null;
    }

    /// <summary>False when nothing else in the document can be trusted (another major version).</summary>
    private bool IsReadableSchema(string? schema)
    {
        if (schema is null)
        {
            return true;
        }
        var parts = schema.Split('.');
        if (parts.Length != 2 || !parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)))
        {
            fields.Problem("schema_version", $"'{schema}' is not MAJOR.MINOR (e.g. 1.0).");
            return true;
        }
        if (parts[0] != "1")
        {
            fields.Problem("schema_version", $"major version {parts[0]} is not supported; this module reads schema_version 1.x.");
            return false;
        }
        return true;
    }

    private string? EpisodeId(JsonElement root)
    {
        var episodeId = fields.String(root, "", "episode_id");
        if (episodeId is not null && Identifier.Problem(episodeId) is { } badEpisodeId)
        {
            fields.Problem("episode_id", badEpisodeId);
        }
        return episodeId;
    }

    private List<Chapter> Chapters(JsonElement array, string episodeId)
    {
        var chapters = new List<Chapter>();
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (_mapper.Map(element, JsonFieldReader.Item("chapters", i++), episodeId) is { } chapter)
            {
                chapters.Add(chapter);
            }
        }
        return chapters;
    }

    private void CheckCount(int count, int? total)
    {
        if (count == 0)
        {
            fields.Problem("chapters", "there must be at least one chapter.");
        }
        if (total is not null && total != count)
        {
            fields.Problem("total_chapters", $"is {total} but the document has {count} chapters.");
        }
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
                CheckId(element, i, seen);
                if (element.TryGetProperty("order", out var order) && order.ValueKind == JsonValueKind.Number && order.TryGetInt32(out var n) && n != i + 1)
                {
                    fields.Problem($"chapters[{i}].order", $"is {n} but must be {i + 1}: orders run 1, 2, 3… in document order.");
                }
            }
            i++;
        }
    }

    private void CheckId(JsonElement chapter, int i, Dictionary<string, (string Id, int Index)> seen)
    {
        if (!chapter.TryGetProperty("chapter_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { } s)
        {
            return;
        }
        if (!seen.TryGetValue(s, out var first))
        {
            seen[s] = (s, i);
        }
        else if (string.Equals(first.Id, s, StringComparison.Ordinal))
        {
            fields.Problem($"chapters[{i}].chapter_id", $"'{s}' is already used by chapters[{first.Index}]; chapter ids must be unique.");
        }
        else
        {
            fields.Problem($"chapters[{i}].chapter_id", $"'{s}' differs only in case from '{first.Id}' (chapters[{first.Index}]); they would name the same image file on Windows and macOS, so chapter ids must differ in more than case.");
        }
    }

    private void CheckDuration(int? duration, List<Chapter> chapters)
    {
        if (duration is null)
        {
            return;
        }
        // In long: chapters of int.MaxValue seconds each must be a mismatch, not an OverflowException.
        var sum = chapters.Sum(c => (long)c.DurationSeconds);
        if (Math.Abs(sum - duration.Value) > DurationToleranceSeconds)
        {
            fields.Problem("estimated_duration_seconds", $"is {duration} but the chapters add up to {sum} (they may differ by at most {DurationToleranceSeconds} s).");
        }
    }
}
