using Btcedu.Core.Composition;
using Btcedu.Core.Episodes;
using Btcedu.Core.Gallery;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Gallery;

/// <summary>
/// A workspace with one episode that has every kind of card: skipped (ch01, ch05), generated with a hostile title and
/// an earlier version (ch02), failed with a hostile title and error (ch03), generated in Turkish and stale (ch04),
/// cost-limited (ch06). Images are real PNGs; nothing is faked below the exporter.
/// </summary>
public sealed class GalleryFixture : IDisposable
{
    public const string ScriptTitle = "<script>alert(1)</script>";
    public const string ImgTitle = "<img src=x onerror=alert(2)>";
    public const string TurkishTitle = "Çığ ve Şüphe: İstanbul'da ağ {{content}}";
    public const string FailedError = "Image call failed: <b>500</b> & \"retry\"";

    public GalleryFixture()
    {
        Temp = new TempWorkspace();
        Workspace = Temp.Open();
        AddEpisode("ep1");
        GalleryDir = Path.Combine(Temp.Root, "data", "gallery");
    }

    public TempWorkspace Temp { get; }
    public BtceduWorkspace Workspace { get; }
    public string GalleryDir { get; }

    public GalleryExport Export(params string[] ids) => Workspace.GalleryExporter().Export(ids.Length == 0 ? ["ep1"] : ids);

    public string Page(string id = "ep1") => Path.Combine(GalleryDir, id, "index.html");

    public string ImageFile(string chapterId, string id = "ep1") => Temp.Paths.ImageFile(id, chapterId);

    public void AddEpisode(string id)
    {
        string[] types = ["title_card", "diagram", "b_roll", "screen_share", "talking_head", "diagram"];
        var doc = ChapterJson.Valid(id, 6, i => types[i - 1]);
        doc["title"] = $"Bitcoin Nedir? {id} — ç ğ ı İ ö ş ü";
        var chapters = doc["chapters"]!.AsArray();
        chapters[1]!["title"] = ScriptTitle;
        chapters[2]!["title"] = ImgTitle;
        chapters[3]!["title"] = TurkishTitle;
        var source = Temp.WriteFile($"incoming/{id}.json", ChapterJson.Text(doc));
        Workspace.Importer.Apply(Workspace.Importer.Plan(source, id));

        var now = DateTimeOffset.Parse("2026-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var paths = Temp.Paths;
        Directory.CreateDirectory(paths.ImagesDir(id));
        var ch02 = Entry("ch02", "diagram", ImageStatus.Generated, 0.105m) with { Prompt = "Blocks linked by hashes, version 2 <b>bold</b>" };
        File.WriteAllBytes(paths.ImageFile(id, "ch02"), TestImages.Png(1920, 1080));
        new ImageHistory(paths, 5).Archive(id, "ch02", ch02 with { Prompt = "Blocks, version 1", CostUsd = 0.042m }, now);
        File.WriteAllBytes(paths.ImageFile(id, "ch02"), TestImages.Png(1984, 1080));
        File.WriteAllBytes(paths.ImageFile(id, "ch04"), TestImages.Png(2048, 1080));
        StaleMarker.Write(paths.ImageFile(id, "ch04"), Stage.chapterize, "narration changed", now);
        BtceduJson.Write(paths.ManifestFile(id), new ImageManifest(id, "1.0", "2026-05-01T10:00:00Z",
        [
            Entry("ch01", "title_card", ImageStatus.Skipped, 0m) with { Reason = "title_card comes from a brand template" },
            ch02,
            Entry("ch03", "b_roll", ImageStatus.Failed, 0m) with { Error = FailedError },
            Entry("ch04", "screen_share", ImageStatus.Unchanged, 0.2m) with { Prompt = "Türkçe istem: çığ, şüphe, İstanbul", CostEstimated = true },
            Entry("ch05", "talking_head", ImageStatus.Skipped, 0m),
            Entry("ch06", "diagram", ImageStatus.CostLimited, 0m) with { Reason = "max_episode_cost_usd 0.3 reached" },
        ]));
        Temp.WriteFile($"data/outputs/{id}/provenance/imagegen_provenance.json", "{\"stage\": \"imagegen\"}");
    }

    private static ManifestEntry Entry(string chapter, string type, ImageStatus status, decimal cost) => new()
    {
        ChapterId = chapter,
        VisualType = type,
        Status = status,
        CostUsd = cost,
        Model = status is ImageStatus.Generated or ImageStatus.Unchanged ? "gpt-image-2" : null,
        FilePath = $"images/{chapter}.png",
    };

    public void Dispose() => Temp.Dispose();
}
