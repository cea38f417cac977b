using SkiaSharp;

namespace Btcedu.Core.Imaging;

/// <summary>
/// 480×270 JPEG thumbnails with SkiaSharp: the image scaled to cover the frame, centred, cropped. Made from pixels
/// already decoded wherever there are some (the run, brand cards), so a gallery never decodes a full PNG again.
/// </summary>
internal static class Thumbnailer
{
    public const int Width = 480;
    public const int Height = 270;
    private const int Quality = 82;

    /// <summary>The JPEG bytes, or null when <paramref name="png"/> cannot be decoded.</summary>
    public static byte[]? Make(byte[] png)
    {
        using var source = SKBitmap.Decode(png);
        if (source is null || source.Width == 0 || source.Height == 0)
        {
            return null;
        }
        using var pixmap = source.PeekPixels();
        return Make(pixmap);
    }

    /// <summary>The JPEG bytes of decoded pixels.</summary>
    public static byte[]? Make(SKPixmap source)
    {
        using var image = SKImage.FromPixels(source);
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Black);
        var scale = Math.Max((float)Width / source.Width, (float)Height / source.Height);
        var w = source.Width * scale;
        var h = source.Height * scale;
        var target = SKRect.Create((Width - w) / 2, (Height - h) / 2, w, h);
        canvas.DrawImage(image, target, new SKSamplingOptions(SKCubicResampler.Mitchell));
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Jpeg, Quality);
        return data?.ToArray();
    }
}
