using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.Intrinsics;
using SkiaSharp;

namespace Btcedu.Core.Imaging;

/// <summary>
/// Writes an opaque frame as an 8-bit RGB PNG: every row Paeth-filtered (vectorised), the rows deflated with zlib's
/// run-length strategy. Paeth residuals of photographic pixels seldom repeat at a distance, so runs and Huffman codes
/// keep what LZ77's search would find at about half zlib level 1's CPU; on diagrams and screenshots the runs of zeros
/// keep the bytes within a fifth of zlib's default (docs/PERFORMANCE.md, measured on photos, diagrams and screenshots).
/// The strategy arrived with .NET 9's ZLibCompressionOptions; Core targets .NET 8 (PowerShell 7.4), so it is looked
/// up once at run time and <see cref="IsAvailable"/> is false where it is missing.
/// </summary>
internal sealed record RunLengthPng : PngEncoding
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly Func<Stream, Stream>? Deflater = RunLengthDeflater();

    public static bool IsAvailable => Deflater is not null;

    public override byte[] Encode(SKPixmap pixels)
    {
        if (Deflater is null || pixels.ColorType is not (SKColorType.Rgba8888 or SKColorType.Bgra8888))
        {
            return SkiaPaeth1.Encode(pixels); // other layouts are rare (templates are drawn into RGBA surfaces)
        }
        int width = pixels.Width, height = pixels.Height, rowLength = width * 3;
        var blueFirst = pixels.ColorType == SKColorType.Bgra8888;
        var output = new MemoryStream(width * height * 3 / 2);
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bits per channel
        header[9] = 2; // truecolour (RGB); compression, filter method and interlace stay 0
        WriteChunk(output, "IHDR"u8, header);

        var idatStart = output.Position;
        output.Write(stackalloc byte[8]); // length and type, filled in once the stream's length is known
        var previous = new byte[rowLength];
        var current = new byte[rowLength];
        var filtered = new byte[rowLength + 1];
        filtered[0] = 4; // Paeth
        var source = pixels.GetPixelSpan();
        using (var deflate = Deflater(output))
        {
            for (var y = 0; y < height; y++)
            {
                Pack(source[(y * pixels.RowBytes)..], current, width, blueFirst);
                Paeth(current, previous, filtered.AsSpan(1));
                deflate.Write(filtered);
                (previous, current) = (current, previous);
            }
        }
        var dataLength = checked((int)(output.Position - idatStart - 8));
        var buffer = output.GetBuffer();
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan((int)idatStart), dataLength);
        "IDAT"u8.CopyTo(buffer.AsSpan((int)idatStart + 4));
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(buffer.AsSpan((int)idatStart + 4, dataLength + 4)));
        output.Write(crc);
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    public override string ToString() => "own, RGB, Paeth, run-length deflate";

    private static void Pack(ReadOnlySpan<byte> source, Span<byte> rgb, int width, bool blueFirst)
    {
        int r = blueFirst ? 2 : 0, b = blueFirst ? 0 : 2;
        for (int x = 0, i = 0, o = 0; x < width; x++, i += 4, o += 3)
        {
            rgb[o] = source[i + r];
            rgb[o + 1] = source[i + 1];
            rgb[o + 2] = source[i + b];
        }
    }

    /// <summary>
    /// PNG's Paeth filter for RGB rows: each byte minus the one of left (a), above (b) and upper-left (c) nearest to
    /// a + b − c, ties in that order; the row above the first and the pixel left of the first are zero.
    /// </summary>
    internal static void Paeth(ReadOnlySpan<byte> current, ReadOnlySpan<byte> previous, Span<byte> filtered)
    {
        const int bpp = 3;
        var i = 0;
        for (; i < bpp && i < current.Length; i++)
        {
            filtered[i] = (byte)(current[i] - previous[i]); // a = c = 0: the predictor is b
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<byte>.Count <= current.Length; i += Vector128<byte>.Count)
            {
                var x = Vector128.Create(current.Slice(i, 16));
                var a = Vector128.Create(current.Slice(i - bpp, 16));
                var b = Vector128.Create(previous.Slice(i, 16));
                var c = Vector128.Create(previous.Slice(i - bpp, 16));
                var (aLow, aHigh) = Vector128.Widen(a);
                var (bLow, bHigh) = Vector128.Widen(b);
                var (cLow, cHigh) = Vector128.Widen(c);
                var low = Predict(aLow.AsInt16(), bLow.AsInt16(), cLow.AsInt16());
                var high = Predict(aHigh.AsInt16(), bHigh.AsInt16(), cHigh.AsInt16());
                var predictor = Vector128.Narrow(low.AsUInt16(), high.AsUInt16());
                (x - predictor).CopyTo(filtered[i..]);
            }
        }
        for (; i < current.Length; i++)
        {
            int a = current[i - bpp], b = previous[i], c = previous[i - bpp];
            int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - 2 * c);
            filtered[i] = (byte)(current[i] - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c));
        }
    }

    private static Vector128<short> Predict(Vector128<short> a, Vector128<short> b, Vector128<short> c)
    {
        var bc = b - c;
        var ac = a - c;
        var pa = Vector128.Abs(bc);
        var pb = Vector128.Abs(ac);
        var pc = Vector128.Abs(bc + ac);
        var takeA = Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc);
        var takeB = Vector128.LessThanOrEqual(pb, pc);
        return Vector128.ConditionalSelect(takeA, a, Vector128.ConditionalSelect(takeB, b, c));
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        output.Write(word);
    }

    /// <summary>A factory for zlib streams at level 1 with the run-length strategy, or null before .NET 9.</summary>
    private static Func<Stream, Stream>? RunLengthDeflater()
    {
        var assembly = typeof(ZLibStream).Assembly;
        var optionsType = assembly.GetType("System.IO.Compression.ZLibCompressionOptions");
        var strategyType = assembly.GetType("System.IO.Compression.ZLibCompressionStrategy");
        var constructor = optionsType is null ? null : typeof(ZLibStream).GetConstructor([typeof(Stream), optionsType, typeof(bool)]);
        if (optionsType is null || strategyType is null || constructor is null || !Enum.IsDefined(strategyType, "RunLengthEncoding"))
        {
            return null;
        }
        var options = Activator.CreateInstance(optionsType)!;
        optionsType.GetProperty("CompressionLevel")!.SetValue(options, 1);
        optionsType.GetProperty("CompressionStrategy")!.SetValue(options, Enum.Parse(strategyType, "RunLengthEncoding"));
        return output => (Stream)constructor.Invoke([output, options, true]);
    }
}
