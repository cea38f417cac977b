using System.Text.Json;
using System.Text.Json.Nodes;
using Btcedu.Core.Chapters;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Chapters;

/// <summary>The rules that span a chapter document, as a table: one break of a valid document, and every problem it must report, in order.</summary>
public class ChapterDocumentValidatorTests
{
    private const string MustBeUnique = "chapter ids must be unique.";

    private static readonly Dictionary<string, Action<JsonObject>> Breaks = new(StringComparer.Ordinal)
    {
        ["nothing"] = _ => { },
        ["a later minor version"] = d => d["schema_version"] = "1.7",
        ["schema not MAJOR.MINOR, reading goes on"] = d => { d["schema_version"] = "1"; d.Remove("title"); },
        ["another major version, reading stops"] = d => { d["schema_version"] = "2.0"; d.Remove("title"); },
        ["schema with a non-digit"] = d => d["schema_version"] = "1.x",
        ["total_chapters off by one"] = d => d["total_chapters"] = 4,
        ["no chapters"] = d => d["chapters"] = new JsonArray(),
        ["chapters not an array"] = d => d["chapters"] = "all of them",
        ["order out of document order"] = d => { d.Chapter(1)["order"] = 3; d.Chapter(2)["order"] = 2; },
        ["a repeated chapter id"] = d => d.Chapter(2)["chapter_id"] = "ch01",
        ["an id that differs only in case"] = d => d.Chapter(2)["chapter_id"] = "CH01",
        ["duration 5 s off"] = d => d["estimated_duration_seconds"] = 155,
        ["duration 6 s off"] = d => d["estimated_duration_seconds"] = 156,
        ["duration unchecked while a chapter is broken"] = d => { d["estimated_duration_seconds"] = 999; d.Chapter(0).Remove("narration"); },
        ["chapter problems come before the count"] = d => { d["total_chapters"] = 4; d.Chapter(2).Remove("title"); },
        ["durations that overflow an int"] = d =>
        {
            d["estimated_duration_seconds"] = 1;
            for (var i = 0; i < 5; i++)
            {
                d.Chapter(i)["narration"]!["estimated_duration_seconds"] = int.MaxValue;
            }
        },
    };

    public static TheoryData<string, string[]> Cases => new()
    {
        { "nothing", [] },
        { "a later minor version", [] },
        { "schema not MAJOR.MINOR, reading goes on", ["schema_version: '1' is not MAJOR.MINOR (e.g. 1.0).", "title: is required."] },
        { "another major version, reading stops", ["schema_version: major version 2 is not supported; this module reads schema_version 1.x."] },
        { "schema with a non-digit", ["schema_version: '1.x' is not MAJOR.MINOR (e.g. 1.0)."] },
        { "total_chapters off by one", ["total_chapters: is 4 but the document has 5 chapters."] },
        { "no chapters", ["chapters: there must be at least one chapter.", "total_chapters: is 5 but the document has 0 chapters."] },
        { "chapters not an array", ["chapters: must be an array, not the string \"all of them\"."] },
        {
            "order out of document order",
            [
                "chapters[1].order: is 3 but must be 2: orders run 1, 2, 3… in document order.",
                "chapters[2].order: is 2 but must be 3: orders run 1, 2, 3… in document order.",
            ]
        },
        { "a repeated chapter id", [$"chapters[2].chapter_id: 'ch01' is already used by chapters[0]; {MustBeUnique}"] },
        {
            "an id that differs only in case",
            ["chapters[2].chapter_id: 'CH01' differs only in case from 'ch01' (chapters[0]); they would name the same image file on Windows and macOS, so chapter ids must differ in more than case."]
        },
        { "duration 5 s off", [] },
        { "duration 6 s off", ["estimated_duration_seconds: is 156 but the chapters add up to 150 (they may differ by at most 5 s)."] },
        { "duration unchecked while a chapter is broken", ["chapters[0].narration: is required."] },
        { "chapter problems come before the count", ["chapters[2].title: is required.", "total_chapters: is 4 but the document has 5 chapters."] },
        { "durations that overflow an int", ["estimated_duration_seconds: is 1 but the chapters add up to 10737418235 (they may differ by at most 5 s)."] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_break_reports_exactly_its_problems_in_order(string name, string[] expected)
    {
        var document = ChapterJson.Valid();
        Breaks[name](document);
        var (read, problems) = Validate(document);
        Assert.Equal(expected, problems);
        Assert.Equal(expected.Length == 0, read is not null);
    }

    [Fact]
    public void Every_break_in_the_table_has_its_expected_problems()
    {
        Assert.Equal(Breaks.Keys.Order(StringComparer.Ordinal), Cases.Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_valid_document_keeps_its_fields_and_every_chapter()
    {
        var (read, _) = Validate(ChapterJson.Valid(episodeId: "ep7", chapters: 3));
        Assert.NotNull(read);
        Assert.Equal(("1.0", "ep7", 3, 90), (read.SchemaVersion, read.EpisodeId, read.TotalChapters, read.EstimatedDurationSeconds));
        Assert.Equal(["ch01", "ch02", "ch03"], read.Chapters.Select(c => c.ChapterId));
        Assert.All(read.Chapters, c => Assert.Equal("ep7", c.EpisodeId));
    }

    [Fact]
    public void The_root_must_be_an_object()
    {
        var (read, problems) = Validate(new JsonArray());
        Assert.Null(read);
        Assert.Equal(["the document must be a JSON object, not an array."], problems);
    }

    [Fact]
    public void A_path_like_episode_id_is_refused_with_the_shared_id_rule()
    {
        var document = ChapterJson.Valid();
        document["episode_id"] = "../ep1";
        var (_, problems) = Validate(document);
        Assert.Equal([$"episode_id: {Identifier.Problem("../ep1")}"], problems);
    }

    private static (ChapterDocument? Read, string[] Problems) Validate(JsonNode node)
    {
        using var json = JsonDocument.Parse(node.ToJsonString());
        var fields = new JsonFieldReader();
        var read = new ChapterDocumentValidator(fields).Validate(json.RootElement);
        return (read, fields.Problems.Select(p => p.Path.Length == 0 ? p.Message : $"{p.Path}: {p.Message}").ToArray());
    }
}
