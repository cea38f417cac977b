using System.Globalization;
using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Chapters;

/// <summary>
/// Maps one item of a chapter document's <c>chapters</c> array to a <see cref="Chapter"/>, recording every
/// violation of the chapter's own fields. Rules across chapters (unique ids, order) belong to
/// <see cref="ChapterDocumentValidator"/>.
/// </summary>
internal sealed class ChapterMapper(JsonFieldReader fields)
{
    private static readonly string[] OverlayTypes = ["lower_third", "title", "quote", "statistic"];
    private static readonly string[] TransitionNames = ["fade", "cut", "dissolve"];
    private static readonly string VisualTypeNames = string.Join(", ", Enum.GetNames<VisualType>());

    /// <returns>The chapter, or null when any of its fields was recorded as a problem.</returns>
    public Chapter? Map(JsonElement chapter, string path, string episodeId)
    {
        if (chapter.ValueKind != JsonValueKind.Object)
        {
            fields.Problem(path, $"must be an object, not {JsonFieldReader.Describe(chapter)}.");
            return null;
        }
        // Fields are read in document order, so problems are reported in the order a reader meets them.
        var before = fields.Problems.Count;
        var id = ChapterId(chapter, path);
        var title = fields.String(chapter, path, "title");
        var order = fields.Int(chapter, path, "order", min: 1);
        var narration = Narration(chapter, path);
        var visual = Visual(chapter, path);
        var overlays = Overlays(chapter, path);
        var transitions = Transitions(chapter, path);
        var notes = fields.OptionalString(chapter, path, "notes");
        if (fields.Problems.Count != before)
        {
            return null;
        }
        return new Chapter
        {
            EpisodeId = episodeId,
            ChapterId = id!,
            Order = order!.Value,
            Title = title!,
            VisualType = visual.Type!.Value,
            VisualDescription = visual.Description!,
            ImagePrompt = string.IsNullOrWhiteSpace(visual.ImagePrompt) ? null : visual.ImagePrompt,
            NarrationText = narration.Text!,
            WordCount = narration.Words!.Value,
            DurationSeconds = narration.Seconds!.Value,
            Overlays = overlays,
            TransitionIn = transitions.In!,
            TransitionOut = transitions.Out!,
            Notes = notes,
        };
    }

    private string? ChapterId(JsonElement chapter, string path)
    {
        var id = fields.String(chapter, path, "chapter_id");
        if (id is not null && Identifier.Problem(id) is { } badId)
        {
            fields.Problem(JsonFieldReader.Join(path, "chapter_id"), badId);
        }
        return id;
    }

    private (string? Text, int? Words, int? Seconds) Narration(JsonElement chapter, string path)
    {
        if (fields.Required(chapter, path, "narration", JsonValueKind.Object) is not { } narration)
        {
            return default;
        }
        var at = JsonFieldReader.Join(path, "narration");
        return (fields.String(narration, at, "text"),
            fields.Int(narration, at, "word_count", min: 1),
            fields.Int(narration, at, "estimated_duration_seconds", min: 1));
    }

    private (VisualType? Type, string? Description, string? ImagePrompt) Visual(JsonElement chapter, string path)
    {
        if (fields.Required(chapter, path, "visual", JsonValueKind.Object) is not { } visual)
        {
            return default;
        }
        var at = JsonFieldReader.Join(path, "visual");
        var type = VisualTypeOf(visual, at);
        return (type, fields.String(visual, at, "description"), fields.OptionalString(visual, at, "image_prompt"));
    }

    private VisualType? VisualTypeOf(JsonElement visual, string path)
    {
        var type = fields.String(visual, path, "type");
        if (type is null)
        {
            return null;
        }
        // Names only, exactly: Enum.TryParse would also take "Diagram", " 1" or "diagram, b_roll" (flags).
        if (Enum.GetNames<VisualType>().Contains(type, StringComparer.Ordinal))
        {
            return Enum.Parse<VisualType>(type);
        }
        fields.Problem(JsonFieldReader.Join(path, "type"), $"'{type}' is not one of {VisualTypeNames}.");
        return null;
    }

    private List<Overlay> Overlays(JsonElement chapter, string path)
    {
        var overlays = new List<Overlay>();
        if (fields.OptionalArray(chapter, path, "overlays") is not { } array)
        {
            return overlays;
        }
        var at = JsonFieldReader.Join(path, "overlays");
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (Overlay(item, JsonFieldReader.Item(at, i++)) is { } overlay)
            {
                overlays.Add(overlay);
            }
        }
        return overlays;
    }

    private Overlay? Overlay(JsonElement overlay, string path)
    {
        if (overlay.ValueKind != JsonValueKind.Object)
        {
            fields.Problem(path, $"must be an object, not {JsonFieldReader.Describe(overlay)}.");
            return null;
        }
        var type = fields.OneOf(overlay, path, "type", OverlayTypes);
        var text = fields.String(overlay, path, "text");
        var start = fields.Seconds(overlay, path, "start_offset_seconds");
        var duration = fields.Seconds(overlay, path, "duration_seconds");
        if (start < 0)
        {
            fields.Problem($"{path}.start_offset_seconds", $"must be 0 or more, not {start.Value.ToString(CultureInfo.InvariantCulture)}.");
        }
        if (duration <= 0)
        {
            fields.Problem($"{path}.duration_seconds", $"must be more than 0, not {duration.Value.ToString(CultureInfo.InvariantCulture)}.");
        }
        return type is null || text is null || start is null or < 0 || duration is null or <= 0 ? null : new Overlay(type, text, start.Value, duration.Value);
    }

    private (string? In, string? Out) Transitions(JsonElement chapter, string path)
    {
        if (fields.Required(chapter, path, "transitions", JsonValueKind.Object) is not { } transitions)
        {
            return default;
        }
        var at = JsonFieldReader.Join(path, "transitions");
        return (fields.OneOf(transitions, at, "in", TransitionNames), fields.OneOf(transitions, at, "out", TransitionNames));
    }
}
