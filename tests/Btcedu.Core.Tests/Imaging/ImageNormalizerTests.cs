using Btcedu.Core.Imaging;
using Btcedu.Core.Tests.Fakes;
using SkiaSharp;

namespace Btcedu.Core.Tests.Imaging;

public sealed class ImageNormalizerTests
{
    [Fact]
    public void SkiaSharp_native_library_loads()
    {
        Assert.False(string.IsNullOrEmpty(SkiaSharpVersion.Native.ToString()));
        using var bitmap = new SKBitmap(2, 2);
        Assert.Equal(2, bitmap.Width);
    }

    [Theory]
    [InlineData("png", 1536, 1024)]
    [InlineData("jpeg", 1792, 1024)]
    [InlineData("webp", 1024, 1536)]
    [InlineData("png", 1920, 1080)]
    [InlineData("png", 4000, 500)]
    public void Every_accepted_format_and_shape_becomes_a_1920x1080_png(string format, int width, int height)
    {
        var source = format switch
        {
            "jpeg" => TestImages.Jpeg(width, height),
            "webp" => TestImages.Webp(width, height),
            _ => TestImages.Png(width, height),
        };

        var result = ImageNormalizer.Normalize(source);

        Assert.True(TestImages.IsPng(result.Png));
        Assert.Equal((1920, 1080), TestImages.Size(result.Png));
        Assert.Equal($"{width}x{height}", result.SourceSize);
    }

    [Fact]
    public void Gpt_image_2s_1920x1088_is_cropped_not_resampled()
    {
        // Red left half, blue right half: a resampling filter would blend the two columns at the seam.
        var result = ImageNormalizer.Normalize(TestImages.Png(1920, 1088));

        Assert.Equal((1920, 1080), TestImages.Size(result.Png));
        Assert.Equal(SKColors.Red, TestImages.Pixel(result.Png, 959, 540));
        Assert.Equal(SKColors.Blue, TestImages.Pixel(result.Png, 960, 540));
        Assert.Equal(SKColors.Red, TestImages.Pixel(result.Png, 959, 0));
    }

    [Fact]
    public void Wide_source_is_cropped_at_the_sides_keeping_the_centre()
    {
        // 4000x500 covers at scale 2.16: the centre seam (red|blue) must stay at the frame's centre.
        var png = ImageNormalizer.Normalize(TestImages.Png(4000, 500)).Png;

        Assert.Equal(SKColors.Red, TestImages.Pixel(png, 900, 540));
        Assert.Equal(SKColors.Blue, TestImages.Pixel(png, 1020, 540));
    }

    [Fact]
    public void Gif_is_rejected()
    {
        // A minimal 1x1 GIF: decodable by Skia, but not a format the pipeline accepts.
        var gif = Convert.FromBase64String("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==");

        var ex = Assert.Throws<BtceduException>(() => ImageNormalizer.Normalize(gif));

        Assert.Equal("ImageUndecodable", ex.ErrorId);
        Assert.Contains("Gif", ex.Message);
    }

    [Fact]
    public void Truncated_and_garbage_bytes_are_rejected()
    {
        var png = TestImages.Png(800, 600);

        Assert.Equal("ImageUndecodable", Assert.Throws<BtceduException>(() => ImageNormalizer.Normalize(png[..(png.Length - 40)])).ErrorId);
        Assert.Equal("ImageUndecodable", Assert.Throws<BtceduException>(() => ImageNormalizer.Normalize(png[..60])).ErrorId);
        Assert.Equal("ImageUndecodable", Assert.Throws<BtceduException>(() => ImageNormalizer.Normalize("hello"u8.ToArray())).ErrorId);
        Assert.Equal("ImageUndecodable", Assert.Throws<BtceduException>(() => ImageNormalizer.Normalize([])).ErrorId);
    }
}
