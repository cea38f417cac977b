using Btcedu.Core.ImageGen;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>
/// The run keeps each image's thumbnail where its pixels were decoded (issue 22), brand cards included, so the
/// gallery exports the episode without decoding a single PNG. With the fake's realistic PNGs.
/// </summary>
public sealed class ThumbnailStoreTests
{
    [Fact]
    public async Task A_run_keeps_a_thumbnail_per_image_and_card_and_the_gallery_makes_none()
    {
        await using var h = await StageHarness.StartAsync();
        h.Server.Images.TinyImages = false;
        // 2–3 MB answers on a loaded 2-core machine: room for them, this test is not about timeouts.
        h.Options = StageHarness.Fast with { AttemptTimeout = TimeSpan.FromSeconds(60), OverallTimeout = TimeSpan.FromSeconds(120) };

        var (_, results) = await h.RunAsync();

        Assert.All(results, r => Assert.Contains(r.Status, new[] { ImageStatus.Generated, ImageStatus.Skipped }));
        var thumbnails = new ThumbnailStore(h.Temp.Paths);
        foreach (var id in results.Select(r => r.ChapterId))
        {
            var png = File.ReadAllBytes(Path.Combine(h.ImagesDir, id + ".png"));
            var kept = thumbnails.Find("ep1", id);
            Assert.NotNull(kept);
            Assert.Equal(ContentHash.Of(png), kept.Value.Sha256);
            Assert.Equal((480, 270), TestImages.Size(File.ReadAllBytes(kept.Value.Thumbnail)));
        }
        var export = h.Workspace.GalleryExporter().Export(["ep1"], Path.Combine(h.Temp.Root, "gallery"));
        Assert.Empty(export.Failures);
        Assert.Equal(0, export.ThumbnailsMade);
        Assert.Equal(results.Count, Directory.GetFiles(Path.Combine(h.Temp.Root, "gallery", "ep1", "thumb")).Length);
    }
}
