using System.Text.Json.Nodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>Brand cards for title cards and talking heads: made locally, at no cost, remade only when their title or template changes.</summary>
public sealed class CardMakerTests
{
    /// <summary>ch01 title_card and ch05 talking_head in the harness's document.</summary>
    private static readonly string[] Cards = ["ch01", "ch05"];

    [Fact]
    public async Task Every_visual_type_gets_a_visual_and_the_cards_cost_nothing_and_call_nothing()
    {
        await using var h = await StageHarness.StartAsync();

        var (summary, results) = await h.RunAsync();

        Assert.Equal(4, h.ImageRequests.Count); // the four generated types only
        foreach (var id in Cards)
        {
            var result = results.Single(r => r.ChapterId == id);
            Assert.Equal(ImageStatus.Skipped, result.Status);
            Assert.Equal(0m, result.CostUsd);
            Assert.Equal(Path.Combine(h.ImagesDir, id + ".png"), result.Path);
            Assert.Equal((1920, 1080), TestImages.Size(File.ReadAllBytes(result.Path!)));
            var entry = h.Manifest()["images"]!.AsArray().Single(e => (string?)e!["chapter_id"] == id)!;
            Assert.Equal("skipped", (string?)entry["status"]);
            Assert.Equal("template", (string?)entry["generation_method"]);
            Assert.Equal(0m, (decimal)entry["cost_usd"]!);
            Assert.Equal(new FileInfo(result.Path!).Length, (long)entry["size_bytes"]!);
        }
        Assert.Empty(ManifestContract.RenderGaps(h.Temp.Paths.EpisodeDir("ep1")));
        Assert.Equal(results.Where(r => r.Status == ImageStatus.Generated).Sum(r => r.CostUsd), summary.CostUsd);
    }

    [Fact]
    public async Task A_card_is_remade_only_when_its_title_or_template_changes()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var ch01 = Path.Combine(h.ImagesDir, "ch01.png");
        var ch05 = Path.Combine(h.ImagesDir, "ch05.png");
        var (first01, first05) = (File.ReadAllBytes(ch01), File.ReadAllBytes(ch05));
        var written01 = File.GetLastWriteTimeUtc(ch01);

        await h.RunAsync(); // nothing changed
        Assert.Equal(written01, File.GetLastWriteTimeUtc(ch01));

        var renamed = StageHarness.Document();
        renamed.Chapter(0)["title"] = "Yeni Başlık: İlk Bölüm";
        h.Import(renamed);
        await h.RunAsync();
        Assert.NotEqual(first01, File.ReadAllBytes(ch01));
        Assert.Equal(first05, File.ReadAllBytes(ch05));
        Assert.Equal("Yeni Başlık: İlk Bölüm", (string?)h.Manifest()["images"]![0]!["chapter_title"]);

        h.Temp.WriteFile("brand/talking.png", TestImages.Solid(1920, 1080, 10, 120, 60));
        h.Environment["BTCEDU_TALKING_HEAD_TEMPLATE"] = "brand/talking.png";
        var afterTitle = File.ReadAllBytes(ch01);
        await h.RunAsync();
        Assert.Equal(afterTitle, File.ReadAllBytes(ch01));
        Assert.Equal(new SkiaSharp.SKColor(10, 120, 60), TestImages.Pixel(File.ReadAllBytes(ch05), 1900, 20));
        Assert.Equal(4, h.ImageRequests.Count); // only the first run called the API
    }

    [Fact]
    public async Task With_cards_off_no_card_is_made_and_file_path_still_names_where_it_belongs()
    {
        await using var h = await StageHarness.StartAsync();
        h.Environment["BTCEDU_BRAND_CARDS"] = "false";

        await h.RunAsync();

        Assert.False(File.Exists(Path.Combine(h.ImagesDir, "ch01.png")));
        var ch01 = h.Manifest()["images"]![0]!;
        Assert.Equal("images/ch01.png", (string?)ch01["file_path"]);
        Assert.Equal("none", (string?)ch01["generation_method"]);
        Assert.Null(ch01["size_bytes"]);
    }

    [Fact]
    public async Task A_missing_or_unreadable_template_is_refused_before_anything_is_written()
    {
        await using var h = await StageHarness.StartAsync();
        h.Environment["BTCEDU_TITLE_CARD_TEMPLATE"] = "brand/none.png";
        var before = h.Temp.Snapshot();

        Assert.Equal("BrandTemplateNotFound", (await Assert.ThrowsAsync<BtceduException>(() => h.RunAsync())).ErrorId);
        Assert.Equal(before, h.Temp.Snapshot());
        h.Temp.WriteFile("brand/none.png", "not an image");
        before = h.Temp.Snapshot();
        Assert.Equal("BrandTemplateUnreadable", (await Assert.ThrowsAsync<BtceduException>(() => h.RunAsync())).ErrorId);

        Assert.Equal(before, h.Temp.Snapshot());
        Assert.Empty(h.ImageRequests);
    }

    [Fact]
    public async Task A_paid_image_replaced_by_a_card_is_kept_in_history()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var paid = File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch02.png"));
        var changed = StageHarness.Document();
        changed.Chapter(1)["visual"]!["type"] = "title_card";
        h.Import(changed);

        await h.RunAsync();

        Assert.Equal("template", (string?)h.Manifest()["images"]![1]!["generation_method"]);
        Assert.Equal(paid, File.ReadAllBytes(Assert.Single(h.Stage().History("ep1", "ch02")).Path));
    }

    [Fact]
    public async Task The_gallery_shows_a_card_as_an_image()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();

        h.Workspace.GalleryExporter().Export(["ep1"]);

        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(File.ReadAllText(Path.Combine(h.Temp.Root, "data", "gallery", "ep1", "index.html")));
        foreach (var id in Cards)
        {
            var card = page.GetElementById(id)!;
            Assert.Equal("skipped", card.GetAttribute("data-status"));
            var thumb = card.QuerySelector("a.thumb img")!;
            Assert.True(File.Exists(Path.Combine(h.Temp.Root, "data", "gallery", "ep1", thumb.GetAttribute("src")!)));
            Assert.Null(card.QuerySelector(".placeholder"));
        }
    }
}
