using SkiaSharp;

namespace Btcedu.Core.Imaging;

/// <summary>
/// How the opaque 1920×1080 frames are encoded as PNG. Chosen by measurement (docs/PERFORMANCE.md, "PNG encoder
/// settings"): zlib's default (all filters, level 6) spent three times the CPU of the rest of the local stage; LZ77's
/// search, most of what even level 1 spends, finds little in photographic pixels, so the product writes the PNG itself
/// with run-length deflate (<see cref="RunLengthPng"/>) where the runtime offers it, and Skia's Paeth at zlib 1 elsewhere.
/// </summary>
internal abstract record PngEncoding
{
    /// <summary>Skia's Paeth filter at zlib level 1: the product's choice on a runtime without deflate strategies (.NET 8).</summary>
    public static SkiaPng SkiaPaeth1 { get; } = new(SKPngEncoderFilterFlags.Paeth, 1);

    /// <summary>Skia's default: every filter tried per row, zlib level 6 (what the stage used before issue 22).</summary>
    public static SkiaPng SkiaDefault { get; } = new(SKPngEncoderFilterFlags.AllFilters, 6);

    /// <summary>The setting the product uses (declared after the settings it may name: static initialisers run in order).</summary>
    public static PngEncoding Default { get; } = RunLengthPng.IsAvailable ? new RunLengthPng() : SkiaPaeth1;

    /// <summary>The PNG of <paramref name="pixels"/>; opaque pixels are written as RGB.</summary>
    public abstract byte[] Encode(SKPixmap pixels);
}

/// <summary>Skia's (libpng's) encoder with the given row filters and zlib level.</summary>
internal sealed record SkiaPng(SKPngEncoderFilterFlags Filters, int ZlibLevel) : PngEncoding
{
    public override byte[] Encode(SKPixmap pixels)
    {
        using var data = pixels.Encode(new SKPngEncoderOptions(Filters, ZlibLevel))
            ?? throw new InvalidOperationException("SkiaSharp could not encode the PNG.");
        return data.ToArray();
    }

    public override string ToString() => $"Skia, {Filters}, zlib {ZlibLevel}";
}
