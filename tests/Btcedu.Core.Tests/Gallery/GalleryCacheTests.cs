using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.Gallery;

/// <summary>Thumbnails are cached by image hash, and every file is written only when it changed.</summary>
public sealed class GalleryCacheTests
{
    private static Dictionary<string, (DateTime, long)> Stamp(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(dir, p), p => (File.GetLastWriteTimeUtc(p), new FileInfo(p).Length));

    [Fact]
    public void A_second_export_with_nothing_changed_writes_nothing()
    {
        using var f = new GalleryFixture();
        var first = f.Export();
        Assert.Equal(3, first.ThumbnailsMade); // ch02, its v1, ch04
        var before = Stamp(f.GalleryDir);
        Thread.Sleep(20);

        var second = f.Export();

        Assert.Equal((0, 0, 0), (second.FilesWritten, second.ThumbnailsMade, second.FilesPruned));
        Assert.Equal(before, Stamp(f.GalleryDir));
        Assert.Empty(Directory.EnumerateFiles(f.GalleryDir, "*.tmp*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_changed_image_redoes_its_thumbnail_only_and_the_old_one_is_pruned()
    {
        using var f = new GalleryFixture();
        f.Export();
        var thumbs = Path.Combine(f.GalleryDir, "ep1", "thumb");
        var before = Stamp(thumbs);

        File.WriteAllBytes(f.ImageFile("ch04"), TestImages.Png(2112, 1080));
        var again = f.Export();

        Assert.Equal(1, again.ThumbnailsMade);
        Assert.Equal(2, again.FilesPruned); // the old full image and thumbnail of ch04
        var after = Stamp(thumbs);
        Assert.Equal(3, after.Count);
        Assert.Equal(2, after.Count(kv => before.TryGetValue(kv.Key, out var b) && b == kv.Value)); // ch02 and its v1 untouched
        var page = GalleryPageTests.Parse(f.Page());
        Assert.Contains(after.Keys, k => page.QuerySelector("#ch04 img")!.GetAttribute("src") == "thumb/" + k);
    }

    [Fact]
    public void An_unknown_episode_is_a_failure_and_the_others_are_exported()
    {
        using var f = new GalleryFixture();
        f.Workspace.Episodes.Create("bare", "Boş bölüm", 2);

        var export = f.Export("nope", "ep1", "bare");

        Assert.Equal("EpisodeNotFound", Assert.Single(export.Failures).ErrorId);
        Assert.Equal(["ep1", "bare"], export.Pages.Select(p => p.EpisodeId));
        Assert.Contains("no chapter document", File.ReadAllText(f.Page("bare")), StringComparison.Ordinal);
        Assert.Equal(f.Page(), export.Pages[0].Path);
    }
}
