using System.Text.Json;
using System.Text.Json.Nodes;
using Btcedu.Core.Chapters;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Chapters;

/// <summary>One chapter's JSON to a <see cref="Chapter"/>: each part (narration, visual, overlays, transitions) read and checked.</summary>
public class ChapterMapperTests
{
    private static JsonObject ValidChapter() => ChapterJson.Valid(chapters: 1).Chapter(0);

    private static (Chapter? Chapter, string[] Problems) Map(JsonNode chapter)
    {
        using var json = JsonDocument.Parse(chapter.ToJsonString());
        var fields = new JsonFieldReader();
        var mapped = new ChapterMapper(fields).Map(json.RootElement, "chapters[0]", "ep1");
        return (mapped, fields.Problems.Select(p => $"{p.Path}: {p.Message}").ToArray());
    }

    [Fact]
    public void Every_part_lands_in_its_field()
    {
        var json = ValidChapter();
        json["visual"]!["image_prompt"] = "A chain of blocks";
        json["notes"] = "keep it short";
        json["transitions"]!["in"] = "dissolve";
        var (chapter, problems) = Map(json);
        Assert.Empty(problems);
        Assert.NotNull(chapter);
        Assert.Equal(("ep1", "ch01", 1, "Bölüm 1: Işık ve Gölge"), (chapter.EpisodeId, chapter.ChapterId, chapter.Order, chapter.Title));
        Assert.Equal((VisualType.title_card, "Diagram number 1 of blocks linked by hashes", "A chain of blocks"),
            (chapter.VisualType, chapter.VisualDescription, chapter.ImagePrompt));
        Assert.Equal((8, 30), (chapter.WordCount, chapter.DurationSeconds));
        Assert.StartsWith("Merhaba", chapter.NarrationText, StringComparison.Ordinal);
        Assert.Equal(new Overlay("lower_third", "Bitcoin Nedir?", 2, 5), Assert.Single(chapter.Overlays));
        Assert.Equal(("dissolve", "cut", "keep it short"), (chapter.TransitionIn, chapter.TransitionOut, chapter.Notes));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_image_prompt_means_the_llm_writes_it(string? prompt)
    {
        var json = ValidChapter();
        json["visual"]!["image_prompt"] = prompt;
        Assert.Null(Map(json).Chapter!.ImagePrompt);
    }

    [Fact]
    public void Overlays_may_be_missing_or_null_but_not_another_kind()
    {
        var json = ValidChapter();
        json.Remove("overlays");
        Assert.Empty(Map(json).Chapter!.Overlays);
        json["overlays"] = null;
        Assert.Empty(Map(json).Chapter!.Overlays);
        json["overlays"] = new JsonObject();
        Assert.Equal(["chapters[0].overlays: must be an array, not an object."], Map(json).Problems);
    }

    [Fact]
    public void A_broken_overlay_names_each_bad_field()
    {
        var json = ValidChapter();
        json["overlays"] = new JsonArray(5, new JsonObject { ["type"] = "banner", ["text"] = "x", ["start_offset_seconds"] = -1, ["duration_seconds"] = 0 });
        var (chapter, problems) = Map(json);
        Assert.Null(chapter);
        Assert.Equal(
        [
            "chapters[0].overlays[0]: must be an object, not the number 5.",
            "chapters[0].overlays[1].type: 'banner' is not one of lower_third, title, quote, statistic.",
            "chapters[0].overlays[1].start_offset_seconds: must be 0 or more, not -1.",
            "chapters[0].overlays[1].duration_seconds: must be more than 0, not 0.",
        ], problems);
    }

    [Theory]
    [InlineData("b_roll", true)]
    [InlineData("screen_share", true)]
    [InlineData("Diagram", false)]
    [InlineData("1", false)]
    [InlineData("cartoon", false)]
    public void Visual_types_are_read_by_their_exact_names(string type, bool accepted)
    {
        var json = ValidChapter();
        json["visual"]!["type"] = type;
        var (chapter, problems) = Map(json);
        Assert.Equal(accepted, chapter is not null);
        if (!accepted)
        {
            Assert.Equal([$"chapters[0].visual.type: '{type}' is not one of title_card, diagram, b_roll, talking_head, screen_share."], problems);
        }
    }

    [Fact]
    public void Problems_come_in_the_order_the_chapter_is_written()
    {
        var json = ValidChapter();
        json["transitions"]!["out"] = "wipe";
        json["visual"]!["type"] = "cartoon";
        json["narration"]!["word_count"] = 0;
        json.Remove("title");
        json["chapter_id"] = "a/b";
        json["notes"] = 3;
        var (chapter, problems) = Map(json);
        Assert.Null(chapter);
        Assert.Equal(
            ["chapters[0].chapter_id", "chapters[0].title", "chapters[0].narration.word_count", "chapters[0].visual.type", "chapters[0].transitions.out", "chapters[0].notes"],
            problems.Select(p => p[..p.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Fact]
    public void An_item_that_is_not_an_object_is_refused()
    {
        Assert.Equal(["chapters[0]: must be an object, not the string \"ch01\"."], Map(JsonValue.Create("ch01")).Problems);
    }
}
