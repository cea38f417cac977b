using System.Text.Json;
using System.Text.Json.Nodes;
using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Chapters;

public class ChapterImporterTests
{
    private static ChapterImportResult Import(Btcedu.Core.Composition.BtceduWorkspace ws, string file, string? id = null) =>
        ws.Importer.Apply(ws.Importer.Plan(file, id));

    [Fact]
    public void Import_registers_a_v2_chapterized_episode_and_stores_the_exact_bytes()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        var text = ChapterJson.Text(ChapterJson.Valid());
        var file = temp.WriteFile("in/chapters.json", text);

        var result = Import(ws, file, "ep1");

        Assert.Equal(ChapterImportKind.Created, result.Kind);
        Assert.Equal(EpisodeStatus.CHAPTERIZED, result.Episode.Status);
        Assert.Equal(2, result.Episode.PipelineVersion);
        Assert.Equal(5, result.Episode.ChapterCount);
        Assert.Equal("Bitcoin Nedir? Ğ Ü Ş İ Ö Ç ı", result.Episode.Title);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(temp.Paths.ChaptersFile("ep1")));
        Assert.Equal(result.Episode, ws.Episodes.Get("ep1"));
    }

    [Fact]
    public void Reimporting_the_same_content_changes_nothing()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        var file = temp.WriteFile("chapters.json", ChapterJson.Text(ChapterJson.Valid()));
        Import(ws, file);
        temp.WriteFile("data/outputs/ep1/images/ch02.png", [1, 2, 3]);
        var before = temp.Snapshot();

        var again = Import(ws, file);

        Assert.Equal(ChapterImportKind.Unchanged, again.Kind);
        Assert.Empty(again.StaleMarkers);
        Assert.Equal(before, temp.Snapshot());
    }

    [Fact]
    public void Reimporting_changed_content_marks_images_and_later_outputs_stale_and_deletes_nothing()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        var json = ChapterJson.Valid();
        var file = temp.WriteFile("chapters.json", ChapterJson.Text(json));
        Import(ws, file);
        ws.Episodes.SetStatus("ep1", EpisodeStatus.IMAGES_GENERATED);
        temp.WriteFile("data/outputs/ep1/images/ch02.png", [1, 2, 3]);
        temp.WriteFile("data/outputs/ep1/images/manifest.json", "{}");
        temp.WriteFile("data/outputs/ep1/render/draft.mp4", [9]);
        temp.WriteFile("data/outputs/ep1/chapters.json.stale", "{}");

        json.Chapter(1)["visual"]!["description"] = "A different diagram";
        temp.WriteFile("chapters.json", ChapterJson.Text(json));
        var result = Import(ws, file);

        Assert.Equal(ChapterImportKind.Changed, result.Kind);
        Assert.Equal(EpisodeStatus.CHAPTERIZED, result.Episode.Status);
        var images = temp.Paths.ImagesDir("ep1");
        Assert.Equal(
            new[] { Path.Combine(images, "ch02.png.stale"), Path.Combine(images, "manifest.json.stale"), Path.Combine(temp.Paths.EpisodeDir("ep1"), "render", "draft.mp4.stale") }.Order(),
            result.StaleMarkers.Order());
        var marker = JsonNode.Parse(File.ReadAllText(Path.Combine(images, "ch02.png.stale")))!;
        Assert.Equal("chapterize", marker["invalidated_by"]!.GetValue<string>());
        Assert.EndsWith("Z", marker["invalidated_at"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(marker["reason"]!.GetValue<string>()));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(images, "ch02.png")));
        Assert.False(File.Exists(temp.Paths.ChaptersFile("ep1") + ".stale"));
    }

    [Fact]
    public void A_legacy_episode_is_refused_and_nothing_changes()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Legacy", 1);
        var file = temp.WriteFile("chapters.json", ChapterJson.Text(ChapterJson.Valid()));
        var before = temp.Snapshot();

        var e = Assert.Throws<BtceduException>(() => Import(ws, file));

        Assert.Equal("LegacyEpisode", e.ErrorId);
        Assert.Equal(before, temp.Snapshot());
        Assert.Equal(1, ws.Episodes.Get("ep1").PipelineVersion);
    }

    [Fact]
    public void An_episode_id_other_than_the_documents_is_refused()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        var file = temp.WriteFile("chapters.json", ChapterJson.Text(ChapterJson.Valid("ep1")));
        var e = Assert.Throws<BtceduException>(() => Import(ws, file, "ep2"));
        Assert.Equal("EpisodeIdMismatch", e.ErrorId);
        Assert.Null(ws.Episodes.Find("ep2"));
    }

    public static TheoryData<string, Func<TempWorkspace, string>> BadFiles => new()
    {
        { "malformed", t => t.WriteFile("bad.json", "{ \"schema_version\": ") },
        { "wrong type", t => t.WriteFile("bad.json", ChapterJson.Text(Mutate(j => j["total_chapters"] = "five"))) },
        { "missing field", t => t.WriteFile("bad.json", ChapterJson.Text(Mutate(j => j.Remove("title")))) },
        { "duplicate ids", t => t.WriteFile("bad.json", ChapterJson.Text(Mutate(j => j.Chapter(1)["chapter_id"] = "ch01"))) },
        { "order", t => t.WriteFile("bad.json", ChapterJson.Text(Mutate(j => j.Chapter(1)["order"] = 5))) },
        { "total mismatch", t => t.WriteFile("bad.json", ChapterJson.Text(Mutate(j => j["total_chapters"] = 4))) },
        { "path-like id", t => t.WriteFile("bad.json", ChapterJson.Text(Mutate(j => j.Chapter(0)["chapter_id"] = "../x"))) },
        { "bom", t => t.WriteFile("bad.json", [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(ChapterJson.Text(ChapterJson.Valid()))]) },
        { "20 MB", t => { var p = t.WriteFile("bad.json", "{}"); using var f = File.OpenWrite(p); f.SetLength(20L << 20); return p; } },
        { "missing file", t => Path.Combine(t.Root, "nope.json") },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_input_gives_one_error_and_leaves_database_and_files_as_they_were(string name, Func<TempWorkspace, string> make)
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        var good = temp.WriteFile("good.json", ChapterJson.Text(ChapterJson.Valid()));
        Import(ws, good);
        var file = make(temp);
        var before = temp.Snapshot();
        var episodesBefore = ws.Episodes.List();

        var e = Assert.ThrowsAny<BtceduException>(() => Import(ws, file));

        Assert.False(string.IsNullOrWhiteSpace(e.Message), name);
        Assert.Contains(e.Kind, new[] { BtceduErrorKind.InvalidData, BtceduErrorKind.ObjectNotFound });
        Assert.Equal(before, temp.Snapshot());
        Assert.Equal(episodesBefore, ws.Episodes.List());
    }

    private static JsonObject Mutate(Action<JsonObject> change)
    {
        var json = ChapterJson.Valid();
        change(json);
        return json;
    }
}
