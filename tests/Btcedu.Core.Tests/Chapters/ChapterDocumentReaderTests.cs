using System.Text;
using System.Text.Json.Nodes;
using Btcedu.Core.Chapters;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Chapters;

public class ChapterDocumentReaderTests
{
    private static ChapterDocument Parse(JsonNode node) => ChapterDocumentReader.Parse(Encoding.UTF8.GetBytes(ChapterJson.Text(node)), "chapters.json");

    private static IReadOnlyList<ChapterProblem> Problems(JsonNode node) =>
        Assert.Throws<ChapterDocumentException>(() => Parse(node)).Problems;

    private static IReadOnlyList<ChapterProblem> Problems(byte[] bytes) =>
        Assert.Throws<ChapterDocumentException>(() => ChapterDocumentReader.Parse(bytes, "chapters.json")).Problems;

    [Fact]
    public void A_valid_document_reads_into_typed_chapters()
    {
        var doc = Parse(ChapterJson.Valid());
        Assert.Equal("ep1", doc.EpisodeId);
        Assert.Equal(5, doc.Chapters.Count);
        Assert.Equal(VisualType.diagram, doc.Chapters[1].VisualType);
        Assert.Equal("Bölüm 2: Işık ve Gölge", doc.Chapters[1].Title);
        Assert.All(doc.Chapters, c => Assert.Equal("ep1", c.EpisodeId));
        Assert.Null(doc.Chapters[0].ImagePrompt);
        Assert.Single(doc.Chapters[0].Overlays);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_json_path()
    {
        var json = ChapterJson.Valid();
        json.Chapter(3)["visual"]!["type"] = "cartoon";
        json.Chapter(1)["narration"]!["word_count"] = 0;
        json.Chapter(2).Remove("title");
        json.Chapter(4)["transitions"]!["out"] = "wipe";
        var problems = Problems(json).Select(p => p.ToString()).ToList();
        Assert.Contains("chapters[3].visual.type: 'cartoon' is not one of title_card, diagram, b_roll, talking_head, screen_share.", problems);
        Assert.Contains(problems, p => p.StartsWith("chapters[1].narration.word_count:", StringComparison.Ordinal));
        Assert.Contains("chapters[2].title: is required.", problems);
        Assert.Contains(problems, p => p.StartsWith("chapters[4].transitions.out: 'wipe'", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count);
    }

    [Fact]
    public void Duplicate_chapter_ids_are_refused()
    {
        var json = ChapterJson.Valid();
        json.Chapter(2)["chapter_id"] = "ch01";
        Assert.Contains(Problems(json), p => p.Path == "chapters[2].chapter_id" && p.Message.Contains("already used by chapters[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void Order_must_run_one_to_n()
    {
        var json = ChapterJson.Valid();
        json.Chapter(1)["order"] = 3;
        json.Chapter(2)["order"] = 2;
        var problems = Problems(json);
        Assert.Contains(problems, p => p.Path == "chapters[1].order");
        Assert.Contains(problems, p => p.Path == "chapters[2].order");
    }

    [Fact]
    public void Total_chapters_must_match()
    {
        var json = ChapterJson.Valid();
        json["total_chapters"] = 7;
        Assert.Contains(Problems(json), p => p.Path == "total_chapters" && p.Message.Contains("has 5 chapters", StringComparison.Ordinal));
    }

    [Fact]
    public void Episode_duration_must_be_within_five_seconds_of_the_chapters()
    {
        var json = ChapterJson.Valid();
        json["estimated_duration_seconds"] = 155; // chapters add to 150
        Parse(json);
        json["estimated_duration_seconds"] = 156;
        Assert.Contains(Problems(json), p => p.Path == "estimated_duration_seconds");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/passwd")]
    [InlineData("ch.01")]
    [InlineData("ch 01")]
    [InlineData("")]
    [InlineData("-ch01")]
    [InlineData("C:\\x")]
    public void Path_like_chapter_ids_are_refused(string id)
    {
        var json = ChapterJson.Valid();
        json.Chapter(0)["chapter_id"] = id;
        Assert.Contains(Problems(json), p => p.Path == "chapters[0].chapter_id");
    }

    [Fact]
    public void Wrong_types_and_missing_fields_name_their_path()
    {
        var json = ChapterJson.Valid();
        json.Chapter(0)["order"] = "1";
        json.Chapter(1).Remove("visual");
        json["chapters"]!.AsArray().Add(42);
        json["total_chapters"] = 6;
        var problems = Problems(json);
        Assert.Contains(problems, p => p.ToString() == "chapters[0].order: must be a number, not the string \"1\".");
        Assert.Contains(problems, p => p.ToString() == "chapters[1].visual: is required.");
        Assert.Contains(problems, p => p.ToString() == "chapters[5]: must be an object, not the number 42.");
    }

    [Fact]
    public void Overlays_are_checked()
    {
        var json = ChapterJson.Valid();
        json.Chapter(0)["overlays"]![0]!["type"] = "banner";
        json.Chapter(1)["overlays"]![0]!["start_offset_seconds"] = -1;
        json.Chapter(2)["overlays"]![0]!["duration_seconds"] = 0;
        json.Chapter(3)["overlays"] = new JsonArray();
        var paths = Problems(json).Select(p => p.Path).ToList();
        Assert.Equal(["chapters[0].overlays[0].type", "chapters[1].overlays[0].start_offset_seconds", "chapters[2].overlays[0].duration_seconds"], paths);
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("0.9")]
    public void Another_major_schema_version_is_refused(string version)
    {
        var json = ChapterJson.Valid();
        json["schema_version"] = version;
        var problem = Assert.Single(Problems(json));
        Assert.Equal("schema_version", problem.Path);
        Assert.Contains("not supported", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_minor_version_with_extra_fields_is_accepted()
    {
        var json = ChapterJson.Valid();
        json["schema_version"] = "1.7";
        json["future_field"] = "ignored";
        json.Chapter(0)["visual"]!["palette"] = "warm";
        Assert.Equal("1.7", Parse(json).SchemaVersion);
    }

    [Fact]
    public void Malformed_json_reports_the_line()
    {
        var problem = Assert.Single(Problems(Encoding.UTF8.GetBytes("{\n  \"schema_version\": \"1.0\",\n  oops\n}")));
        Assert.Contains("not valid JSON (line 3", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_is_refused_with_a_clear_message()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(ChapterJson.Text(ChapterJson.Valid()))).ToArray();
        Assert.Contains("byte-order mark", Assert.Single(Problems(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        Assert.Contains("not valid UTF-8", Assert.Single(Problems([(byte)'{', 0xC3, 0x28, (byte)'}'])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_file_is_refused_before_it_is_read()
    {
        using var ws = new TempWorkspace();
        var path = Path.Combine(ws.Root, "big.json");
        using (var f = File.Create(path)) { f.SetLength(20 * 1024 * 1024); }
        var e = Assert.Throws<ChapterDocumentException>(() => ChapterDocumentReader.ReadFile(path));
        Assert.Contains("20.0 MB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_object_not_found()
    {
        var e = Assert.Throws<BtceduException>(() => ChapterDocumentReader.ReadFile("/nonexistent/chapters.json"));
        Assert.Equal(BtceduErrorKind.ObjectNotFound, e.Kind);
        Assert.Equal("ChapterFileNotFound", e.ErrorId);
    }

    [Fact]
    public void Empty_strings_are_refused_and_null_image_prompt_means_llm()
    {
        var json = ChapterJson.Valid();
        json.Chapter(0)["narration"]!["text"] = "   ";
        json.Chapter(1)["visual"]!["image_prompt"] = "A precise prompt";
        var problem = Assert.Single(Problems(json));
        Assert.Equal("chapters[0].narration.text", problem.Path);
        json.Chapter(0)["narration"]!["text"] = "Metin";
        Assert.Equal("A precise prompt", Parse(json).Chapters[1].ImagePrompt);
    }
}
