using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Gallery;

/// <summary>
/// Thumbnails the run kept (images/thumbs/) are what the gallery uses: no full PNG is decoded for them, and a record
/// that no longer describes the PNG in place (the file was changed by hand) is not trusted. Images older than kept
/// thumbnails (the fixture's) still export, with thumbnails made then.
/// </summary>
public sealed class KeptThumbnailTests
{
    [Fact]
    public void A_kept_thumbnail_is_linked_into_the_gallery_and_no_png_is_decoded_for_it()
    {
        using var f = new GalleryFixture();
        var png = File.ReadAllBytes(f.ImageFile("ch02"));
        var kept = Thumbnailer.Make(png)!;
        new ThumbnailStore(f.Temp.Paths).Keep("ep1", "ch02", ContentHash.Of(png), kept);

        var export = f.Export();

        Assert.Equal(2, export.ThumbnailsMade); // ch02's v1 and ch04 (no kept thumbnails); ch02's was kept
        var hash = ThumbnailStore.Short(ContentHash.Of(png));
        Assert.Equal(kept, File.ReadAllBytes(Path.Combine(f.GalleryDir, "ep1", "thumb", $"ch02-{hash}.jpg")));
        Assert.Equal(png, File.ReadAllBytes(Path.Combine(f.GalleryDir, "ep1", "img", $"ch02-{hash}.png")));
        var page = GalleryPageTests.Parse(f.Page());
        Assert.Equal($"thumb/ch02-{hash}.jpg", page.QuerySelector("#ch02 img")!.GetAttribute("src"));
        Assert.Equal((0, 0), (f.Export().FilesWritten, f.Export().ThumbnailsMade));
    }

    [Fact]
    public void A_png_changed_after_its_thumbnail_was_kept_is_hashed_and_thumbnailed_by_the_gallery()
    {
        using var f = new GalleryFixture();
        var png = File.ReadAllBytes(f.ImageFile("ch02"));
        new ThumbnailStore(f.Temp.Paths).Keep("ep1", "ch02", ContentHash.Of(png), Thumbnailer.Make(png));
        var replaced = TestImages.Png(1920, 1200);
        File.WriteAllBytes(f.ImageFile("ch02"), replaced);

        var export = f.Export();

        Assert.Equal(3, export.ThumbnailsMade);
        var hash = ThumbnailStore.Short(ContentHash.Of(replaced));
        Assert.Equal(replaced, File.ReadAllBytes(Path.Combine(f.GalleryDir, "ep1", "img", $"ch02-{hash}.png")));
        Assert.Equal((480, 270), TestImages.Size(File.ReadAllBytes(Path.Combine(f.GalleryDir, "ep1", "thumb", $"ch02-{hash}.jpg"))));
    }

    [Fact]
    public void The_normaliser_makes_the_thumbnail_from_the_pixels_it_decoded()
    {
        var source = RealisticPng.Make(1920, 1088, "a lighthouse");

        var image = ImageNormalizer.Normalize(source);

        Assert.Equal((480, 270), TestImages.Size(image.Thumbnail!));
        Assert.Equal((1920, 1080), TestImages.Size(image.Png));
        Assert.True(TestImages.DecodesCompletely(image.Png));
    }
}
