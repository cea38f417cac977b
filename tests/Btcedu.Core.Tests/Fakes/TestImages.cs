using SkiaSharp;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>Images made with SkiaSharp for the tests: a left half red and right half blue shows where a crop fell.</summary>
public static class TestImages
{
    public static byte[] Png(int width, int height) => Encode(Split(width, height), SKEncodedImageFormat.Png);

    public static byte[] Jpeg(int width, int height) => Encode(Split(width, height), SKEncodedImageFormat.Jpeg);

    public static byte[] Webp(int width, int height) => Encode(Split(width, height), SKEncodedImageFormat.Webp);

    /// <summary>Random pixels, so PNG cannot compress it: roughly width*height*4 bytes.</summary>
    public static byte[] NoisePng(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var random = new Random(42);
        var pixels = new byte[width * height * 4];
        random.NextBytes(pixels);
        for (var i = 3; i < pixels.Length; i += 4)
        {
            pixels[i] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return Encode(bitmap, SKEncodedImageFormat.Png);
    }

    /// <summary>One colour all over (opaque): cheap to encode, and any pixel of it, cropped or not, reads the same.</summary>
    public static byte[] Solid(int width, int height, byte red, byte green, byte blue)
    {
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        bitmap.Erase(new SKColor(red, green, blue));
        return Encode(bitmap, SKEncodedImageFormat.Png);
    }

    public static (int Width, int Height) Size(byte[] image)
    {
        using var bitmap = SKBitmap.Decode(image) ?? throw new InvalidOperationException("not an image");
        return (bitmap.Width, bitmap.Height);
    }

    /// <summary>Whether every pixel decodes (SKBitmap.Decode hands back a truncated image half grey).</summary>
    public static bool DecodesCompletely(byte[] image)
    {
        using var data = SKData.CreateCopy(image);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return false;
        }
        using var bitmap = new SKBitmap(codec.Info);
        return codec.GetPixels(bitmap.Info, bitmap.GetPixels()) == SKCodecResult.Success;
    }

    public static SKColor Pixel(byte[] image, int x, int y)
    {
        using var bitmap = SKBitmap.Decode(image) ?? throw new InvalidOperationException("not an image");
        return bitmap.GetPixel(x, y);
    }

    public static bool IsPng(byte[] bytes) =>
        bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G';

    private static SKBitmap Split(int width, int height)
    {
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        using var red = new SKPaint { Color = SKColors.Red };
        using var blue = new SKPaint { Color = SKColors.Blue };
        canvas.DrawRect(0, 0, width / 2f, height, red);
        canvas.DrawRect(width / 2f, 0, width - (width / 2f), height, blue);
        canvas.Flush();
        return bitmap;
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format)
    {
        using (bitmap)
        {
            // PNG inputs with the Up filter at zlib 1: their bytes don't matter to any test, and Skia's default (every
            // filter tried on every row, zlib 6) was the largest single cost of the xunit suite.
            using var pixels = bitmap.PeekPixels();
            using var data = format == SKEncodedImageFormat.Png
                ? pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Up, 1))
                : pixels.Encode(format, 90);
            ArgumentNullException.ThrowIfNull(data);
            return data.ToArray();
        }
    }
}
