using System.Buffers.Binary;
using Btcedu.Core.Imaging;
using Btcedu.Core.Tests.Fakes;
using SkiaSharp;

namespace Btcedu.Core.Tests.Imaging;

public sealed class RunLengthPngTests
{
    [Fact]
    public void Is_the_products_encoder_on_this_runtime()
    {
        // The tests run on .NET 10, which has zlib's strategies: the product must not silently fall back to Skia here.
        Assert.True(RunLengthPng.IsAvailable);
        Assert.IsType<RunLengthPng>(PngEncoding.Default);
    }

    [Theory]
    [InlineData(SKColorType.Rgba8888, 1920, 1080)]
    [InlineData(SKColorType.Bgra8888, 1920, 1080)]
    [InlineData(SKColorType.Rgba8888, 37, 11)] // a width that is no multiple of the vector, and rows shorter than one
    [InlineData(SKColorType.Rgba8888, 1, 3)]
    public void Round_trips_every_pixel_through_a_real_decoder(SKColorType colorType, int width, int height)
    {
        using var bitmap = Noise(width, height, colorType);
        using var pixels = bitmap.PeekPixels();

        var png = new RunLengthPng().Encode(pixels);

        // libpng (inside Skia) checks every chunk's CRC and the zlib stream's Adler-32: a wrong one fails the decode.
        Assert.True(TestImages.DecodesCompletely(png));
        using var decoded = SKBitmap.Decode(png);
        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var expected = bitmap.GetPixel(x, y);
                Assert.Equal(expected, decoded.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void Writes_8_bit_RGB_without_alpha()
    {
        using var bitmap = Noise(64, 8, SKColorType.Rgba8888);
        using var pixels = bitmap.PeekPixels();

        var png = new RunLengthPng().Encode(pixels);

        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(64, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(8, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(8, png[24]); // bit depth
        Assert.Equal(2, png[25]); // colour type 2: truecolour, no alpha
    }

    [Fact]
    public void Paeth_matches_the_scalar_definition_on_every_lane()
    {
        var random = new Random(7);
        var current = new byte[3 * 41];
        var previous = new byte[3 * 41];
        random.NextBytes(current);
        random.NextBytes(previous);
        // Ties and extremes, where a wrong comparison or a wrapped sum shows.
        current[20] = current[17] = previous[20] = previous[17] = 255;
        current[40] = 0; previous[40] = 255; previous[37] = 0; current[37] = 255;

        var filtered = new byte[current.Length];
        RunLengthPng.Paeth(current, previous, filtered);

        for (var i = 0; i < current.Length; i++)
        {
            int a = i >= 3 ? current[i - 3] : 0, b = previous[i], c = i >= 3 ? previous[i - 3] : 0;
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            var predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            Assert.True((byte)(current[i] - predictor) == filtered[i], $"byte {i}");
        }
    }

    [Fact]
    public void A_realistic_frame_is_smaller_than_skias_default()
    {
        using var bitmap = ImageNormalizer.Decode(RealisticPng.Make(1920, 1088, "bytes at rest"));
        using var pixmap = bitmap.PeekPixels();
        using var window = pixmap.ExtractSubset(SKRectI.Create(0, 4, 1920, 1080))!;
        using var frame = new SKPixmap(window.Info.WithAlphaType(SKAlphaType.Opaque), window.GetPixels(), window.RowBytes);

        var own = new RunLengthPng().Encode(frame).Length;
        var before = PngEncoding.SkiaDefault.Encode(frame).Length;

        // The issue allows at most +20 % at rest over the stage before it.
        Assert.True(own <= before * 1.2, $"{own} bytes against {before}");
    }

    private static SKBitmap Noise(int width, int height, SKColorType colorType)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, colorType, SKAlphaType.Opaque));
        var random = new Random(width * 31 + height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // Smooth with grain, and a flat band: runs, ties and wrap-around all occur.
                var flat = y % 4 == 0;
                bitmap.SetPixel(x, y, flat ? new SKColor(12, 200, 40) : new SKColor((byte)(x * 7 + random.Next(9)), (byte)(y * 5 + random.Next(9)), (byte)random.Next(256)));
            }
        }
        return bitmap;
    }
}
