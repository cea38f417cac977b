using SkiaSharp;

namespace Btcedu.Core.Imaging;

/// <summary>
/// Turns provider output into what the renderer expects: a 1920x1080 PNG, scaled to cover the frame and
/// centre-cropped so nothing is letterboxed. An image that already covers the frame at scale 1 (gpt-image-2's
/// 1920x1088) is only cropped: its pixels are copied, never resampled. Decoding fully is also the validation: a truncated or
/// non-image body never reaches disk.
/// </summary>
public static class ImageNormalizer
{
    public const int TargetWidth = 1920;
    public const int TargetHeight = 1080;

    /// <summary>
    /// Decodes PNG, JPEG or WebP bytes and returns the normalised PNG. Throws a <see cref="BtceduException"/>
    /// (InvalidData, ErrorId ImageUndecodable) when the bytes are not a complete image in one of those formats.
    /// </summary>
    public static NormalizedImage Normalize(byte[] source) => Normalize(source, PngEncoding.Default);

    /// <summary>As <see cref="Normalize(byte[])"/>, with other PNG encoder settings (the bench compares them).</summary>
    internal static NormalizedImage Normalize(byte[] source, PngEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var bitmap = Decode(source);
        int w = bitmap.Width, h = bitmap.Height;
        if (ExactCrop(w, h) is { } crop)
        {
            // gpt-image-2's 1920x1088: the frame is a window on the decoded pixels, encoded in place (no surface, no copy).
            using var pixmap = bitmap.PeekPixels();
            using var window = pixmap.ExtractSubset(crop) ?? throw new InvalidOperationException("SkiaSharp could not take the 1920x1080 window.");
            using var frame = Opaque(window);
            return new NormalizedImage(encoding.Encode(frame), w, h) { Thumbnail = Thumbnailer.Make(frame) };
        }

        // The frame is opaque whatever the source: it is cleared to black and the image covers it.
        using var surface = SKSurface.Create(new SKImageInfo(TargetWidth, TargetHeight, SKColorType.Rgba8888, SKAlphaType.Opaque))
            ?? throw new InvalidOperationException("SkiaSharp could not create a 1920x1080 surface.");
        DrawCover(surface.Canvas, bitmap);
        surface.Canvas.Flush();
        using var drawn = surface.PeekPixels();
        return new NormalizedImage(encoding.Encode(drawn), w, h) { Thumbnail = Thumbnailer.Make(drawn) };
    }

    /// <summary>The 1920x1080 window of an image that covers the frame at scale 1 with whole-pixel offsets; null otherwise.</summary>
    private static SKRectI? ExactCrop(int w, int h)
    {
        var scale = Math.Max((double)TargetWidth / w, (double)TargetHeight / h);
        if (scale != 1 || (w - TargetWidth) % 2 != 0 || (h - TargetHeight) % 2 != 0)
        {
            return null;
        }
        return SKRectI.Create((w - TargetWidth) / 2, (h - TargetHeight) / 2, TargetWidth, TargetHeight);
    }

    /// <summary>
    /// The same pixels described as opaque, so the encoder writes RGB, not RGBA: a quarter less to filter and compress.
    /// Exact for a source without alpha (alpha 255 everywhere); for one with alpha, premultiplied pixels read as opaque
    /// are the image over black, which is what the drawing path makes of them too.
    /// </summary>
    private static SKPixmap Opaque(SKPixmap window) =>
        new(window.Info.WithAlphaType(SKAlphaType.Opaque), window.GetPixels(), window.RowBytes);

    /// <summary>
    /// Draws <paramref name="bitmap"/> over the whole 1920x1080 canvas: the larger scale fills both dimensions and the
    /// overflow is cropped evenly from both sides.
    /// </summary>
    internal static void DrawCover(SKCanvas canvas, SKBitmap bitmap)
    {
        int w = bitmap.Width, h = bitmap.Height;
        var scale = Math.Max((double)TargetWidth / w, (double)TargetHeight / h);
        var cropW = TargetWidth / scale;
        var cropH = TargetHeight / scale;
        var src = SKRect.Create((float)((w - cropW) / 2), (float)((h - cropH) / 2), (float)cropW, (float)cropH);
        using var image = SKImage.FromBitmap(bitmap);
        canvas.Clear(SKColors.Black);
        // At scale 1 with a whole-pixel offset a cubic filter would still soften every pixel; nearest copies them exactly.
        var exactCrop = scale == 1 && src.Left == Math.Floor(src.Left) && src.Top == Math.Floor(src.Top);
        var sampling = exactCrop ? new SKSamplingOptions(SKFilterMode.Nearest) : new SKSamplingOptions(SKCubicResampler.Mitchell);
        canvas.DrawImage(image, src, SKRect.Create(TargetWidth, TargetHeight), sampling, null);
    }

    /// <summary>Whether <paramref name="source"/> starts like a PNG, JPEG or WebP Skia can open (the header only; nothing is decoded).</summary>
    internal static bool LooksDecodable(byte[] source)
    {
        using var data = SKData.CreateCopy(source);
        using var codec = SKCodec.Create(data);
        return codec is not null && codec.EncodedFormat is SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Webp
            && codec.Info.Width > 0 && codec.Info.Height > 0;
    }

    internal static SKBitmap Decode(byte[] source)
    {
        using var data = SKData.CreateCopy(source);
        using var codec = SKCodec.Create(data) ?? throw Undecodable("it is not a recognisable image");
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Webp))
        {
            throw Undecodable($"it is {codec.EncodedFormat}, not PNG, JPEG or WebP");
        }
        // An opaque source stays opaque (its pixels need no premultiplying); one with alpha is premultiplied for drawing.
        var alpha = codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, alpha);
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw Undecodable("it has no pixels");
        }
        var bitmap = new SKBitmap(info);
        // Anything short of Success (IncompleteInput for a truncated file, InvalidInput...) is rejected:
        // Skia would otherwise hand back a half-grey image.
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw Undecodable($"decoding stopped with {result} (truncated or corrupt)");
        }
        return bitmap;
    }

    private static BtceduException Undecodable(string why) =>
        new("ImageUndecodable", BtceduErrorKind.InvalidData, $"The provider's image could not be used: {why}.");
}
