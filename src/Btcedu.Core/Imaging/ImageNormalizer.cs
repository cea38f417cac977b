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
    public static NormalizedImage Normalize(byte[] source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var bitmap = Decode(source);
        int w = bitmap.Width, h = bitmap.Height;

        using var surface = SKSurface.Create(new SKImageInfo(TargetWidth, TargetHeight, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException("SkiaSharp could not create a 1920x1080 surface.");
        DrawCover(surface.Canvas, bitmap);
        surface.Canvas.Flush();
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return new NormalizedImage(png.ToArray(), w, h);
    }

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
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
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
