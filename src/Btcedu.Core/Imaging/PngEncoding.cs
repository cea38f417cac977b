using SkiaSharp;

namespace Btcedu.Core.Imaging;

/// <summary>
/// How the 1920×1080 PNGs are encoded. Chosen by measurement (docs/PERFORMANCE.md, "PNG encoder settings"): zlib's
/// default (all filters, level 6) spent about three times the CPU of the rest of the local stage for a few percent
/// fewer bytes.
/// </summary>
internal sealed record PngEncoding(SKPngEncoderFilterFlags Filters, int ZlibLevel)
{
    /// <summary>The setting the product uses.</summary>
    public static readonly PngEncoding Default = new(SKPngEncoderFilterFlags.Paeth, 1);

    /// <summary>Skia's default: every filter tried per row, zlib level 6 (what the stage used before issue 22).</summary>
    public static readonly PngEncoding SkiaDefault = new(SKPngEncoderFilterFlags.AllFilters, 6);

    public byte[] Encode(SKPixmap pixels)
    {
        using var data = pixels.Encode(new SKPngEncoderOptions(Filters, ZlibLevel))
            ?? throw new InvalidOperationException("SkiaSharp could not encode the PNG.");
        return data.ToArray();
    }

    public override string ToString() => $"{Filters} zlib {ZlibLevel}";
}
