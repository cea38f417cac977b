using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>
/// PNGs as heavy as OpenAI's (issue 22): 8-bit RGB with photographic complexity (smooth multi-octave colour noise
/// plus per-pixel grain, Paeth-filtered, zlib level 6), 2–3 MB at 1920x1088, deterministic, and different for every
/// prompt without making each answer cost the fake a full encode:
/// <list type="bullet">
/// <item>the image is cut into horizontal segments, each its own deflate run ended by a sync flush (byte-aligned,
/// not final, no reference back across the cut) and its own IDAT chunk, so segments concatenate into one valid
/// zlib stream; the Adler-32 of the whole is combined from the segments' (zlib's adler32_combine);</item>
/// <item>most rows are encoded once per size and cached; a 16-row band at the top (inside the 1080-row crop) has
/// its grain seeded by the prompt, and with an <c>imageId</c> a band through the centre carries a 64×32 block of
/// the id's colour ((id &gt;&gt; 16) &amp; 255, (id &gt;&gt; 8) &amp; 255, id &amp; 255) at the centre, for the fault
/// soak to tell deliveries apart. Those bands are encoded per answer (about 1–3 % of the rows).</item>
/// </list>
/// Decoding cost is the same for every prompt: same size, same filters, same compressed length within a few KB.
/// </summary>
public static class RealisticPng
{
    private const int BandRows = 16;
    private const int IdRows = 32;
    private const int IdBlockWidth = 64;
    private const int Grain = 1; // grain in [-Grain, Grain] per channel: sets the size (about 2.6 MB at 1920x1088)
    private static readonly ConcurrentDictionary<(int, int), Lazy<Base>> Bases = new();

    /// <summary>The PNG for <paramref name="prompt"/> at width×height (RGB, 8 bits), with the id block when <paramref name="imageId"/> is set.</summary>
    public static byte[] Make(int width, int height, string prompt, long? imageId = null)
    {
        var b = Bases.GetOrAdd((width, height), key => new Lazy<Base>(() => new Base(key.Item1, key.Item2))).Value;
        var seed = Fnv(prompt);
        var segments = new List<Segment>(5) { b.Encode(0, BandRows, seed, null) };
        if (imageId is { } id && height >= BandRows + IdRows + 2)
        {
            var top = Math.Max(BandRows, (height - IdRows) / 2);
            segments.Add(b.Cached(BandRows, top));
            segments.Add(b.Encode(top, top + IdRows, seed ^ 0x5bd1e995u, id));
            segments.Add(b.Cached(top + IdRows, height));
        }
        else
        {
            segments.Add(b.Cached(BandRows, height));
        }
        return Assemble(width, height, segments);
    }

    private sealed record Segment(byte[] Deflated, uint Adler, long RawLength, uint ChunkCrc);

    private static byte[] Assemble(int width, int height, List<Segment> segments)
    {
        var adler = 1u;
        foreach (var s in segments)
        {
            adler = AdlerCombine(adler, s.Adler, s.RawLength);
        }
        // zlib header (deflate, 32K window, default level), the segments, an empty final block (03 00), the Adler-32.
        byte[] head = [0x78, 0x9C];
        var tail = new byte[6];
        tail[0] = 0x03;
        BinaryPrimitives.WriteUInt32BigEndian(tail.AsSpan(2), adler);
        var total = 8 + 25 + (12 + 2) + segments.Sum(s => 12L + s.Deflated.Length) + (12 + 6) + 12;
        var png = new byte[total];
        var at = 0;
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(png, 0);
        at += 8;
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        at = Chunk(png, at, "IHDR", ihdr, null);
        at = Chunk(png, at, "IDAT", head, null);
        foreach (var s in segments)
        {
            at = Chunk(png, at, "IDAT", s.Deflated, s.ChunkCrc);
        }
        at = Chunk(png, at, "IDAT", tail, null);
        at = Chunk(png, at, "IEND", [], null);
        return at == png.Length ? png : throw new InvalidOperationException("PNG length mismatch");
    }

    private static int Chunk(byte[] png, int at, string type, byte[] data, uint? crc)
    {
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(at), data.Length);
        Encoding.ASCII.GetBytes(type, png.AsSpan(at + 4));
        data.CopyTo(png, at + 8);
        var c = crc ?? ChunkCrc(type, data);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(at + 8 + data.Length), c);
        return at + 12 + data.Length;
    }

    private static uint ChunkCrc(string type, byte[] data)
    {
        var crc = Crc32Update(0xFFFFFFFFu, Encoding.ASCII.GetBytes(type));
        return Crc32Update(crc, data) ^ 0xFFFFFFFFu;
    }

    /// <summary>One size's smooth colour field and its cached segments.</summary>
    private sealed class Base
    {
        private readonly int _width;
        private readonly int _height;
        private readonly byte[] _smooth; // RGB, the field without grain
        private readonly ConcurrentDictionary<(int, int), Segment> _cached = new();

        public Base(int width, int height)
        {
            _width = width;
            _height = height;
            _smooth = SmoothField(width, height, 0x9e3779b9u ^ (uint)(width * 31 + height));
        }

        public Segment Cached(int from, int to) => _cached.GetOrAdd((from, to), r => Encode(r.Item1, r.Item2, 0x2545F491u, null, CompressionLevel.Optimal));

        /// <summary>Rows [from, to): the field plus seeded grain (and the id block), Paeth-filtered (Sub on the first row, which must not look across the cut), deflated.</summary>
        public Segment Encode(int from, int to, uint seed, long? id, CompressionLevel level = CompressionLevel.Optimal)
        {
            var stride = _width * 3;
            var rows = to - from;
            var pixels = new byte[rows * stride];
            var rng = seed == 0 ? 1u : seed;
            for (var i = 0; i < pixels.Length; i++)
            {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                var v = _smooth[from * stride + i] + (int)(rng % (2 * Grain + 1)) - Grain;
                pixels[i] = (byte)Math.Clamp(v, 0, 255);
            }
            if (id is { } imageId)
            {
                var left = (_width - IdBlockWidth) / 2;
                for (var y = 0; y < rows; y++)
                {
                    for (var x = left; x < left + IdBlockWidth; x++)
                    {
                        var p = y * stride + x * 3;
                        pixels[p] = (byte)(imageId >> 16);
                        pixels[p + 1] = (byte)(imageId >> 8);
                        pixels[p + 2] = (byte)imageId;
                    }
                }
            }
            var raw = new byte[rows * (stride + 1)];
            for (var y = 0; y < rows; y++)
            {
                var line = raw.AsSpan(y * (stride + 1), stride + 1);
                var cur = pixels.AsSpan(y * stride, stride);
                if (y == 0)
                {
                    line[0] = 1; // Sub
                    for (var i = 0; i < stride; i++)
                    {
                        line[i + 1] = (byte)(cur[i] - (i >= 3 ? cur[i - 3] : 0));
                    }
                    continue;
                }
                var up = pixels.AsSpan((y - 1) * stride, stride);
                line[0] = 4; // Paeth
                for (var i = 0; i < stride; i++)
                {
                    int a = i >= 3 ? cur[i - 3] : 0, b = up[i], c = i >= 3 ? up[i - 3] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    var pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    line[i + 1] = (byte)(cur[i] - pred);
                }
            }
            using var output = new MemoryStream(raw.Length / 2);
            var deflate = new DeflateStream(output, level, leaveOpen: true);
            deflate.Write(raw);
            deflate.Flush(); // a sync flush: byte-aligned, not final
            var deflated = output.ToArray();
            deflate.Dispose();
            return new Segment(deflated, Adler32(raw), raw.LongLength, ChunkCrc("IDAT", deflated));
        }

        /// <summary>Value noise at four octaves per channel, bilinear between lattice points: smooth like a photograph's large shapes.</summary>
        private static byte[] SmoothField(int width, int height, uint seed)
        {
            var field = new float[width * height * 3];
            var rng = seed;
            uint Next()
            {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                return rng;
            }
            (int Cell, float Amp)[] octaves = [(384, 70f), (96, 40f), (24, 22f), (6, 12f)];
            foreach (var (cell, amp) in octaves)
            {
                var gw = width / cell + 2;
                var gh = height / cell + 2;
                var lattice = new float[gw * gh * 3];
                for (var i = 0; i < lattice.Length; i++)
                {
                    lattice[i] = (Next() % 2001 / 1000f - 1f) * amp;
                }
                for (var y = 0; y < height; y++)
                {
                    var gy = y / cell;
                    var fy = (y % cell) / (float)cell;
                    fy = fy * fy * (3 - 2 * fy);
                    for (var x = 0; x < width; x++)
                    {
                        var gx = x / cell;
                        var fx = (x % cell) / (float)cell;
                        fx = fx * fx * (3 - 2 * fx);
                        for (var ch = 0; ch < 3; ch++)
                        {
                            float v00 = lattice[(gy * gw + gx) * 3 + ch], v10 = lattice[(gy * gw + gx + 1) * 3 + ch];
                            float v01 = lattice[((gy + 1) * gw + gx) * 3 + ch], v11 = lattice[((gy + 1) * gw + gx + 1) * 3 + ch];
                            var top = v00 + (v10 - v00) * fx;
                            var bottom = v01 + (v11 - v01) * fx;
                            field[(y * width + x) * 3 + ch] += top + (bottom - top) * fy;
                        }
                    }
                }
            }
            var bytes = new byte[field.Length];
            float[] mid = [150f, 120f, 95f]; // a warm mid-tone, like a lit scene
            for (var i = 0; i < field.Length; i++)
            {
                bytes[i] = (byte)Math.Clamp(mid[i % 3] + field[i], 8f, 247f);
            }
            return bytes;
        }
    }

    private static uint Fnv(string text)
    {
        var h = 2166136261u;
        foreach (var ch in text)
        {
            h = (h ^ ch) * 16777619u;
        }
        return h == 0 ? 1u : h;
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        while (data.Length > 0)
        {
            var n = Math.Min(data.Length, 5552);
            foreach (var x in data[..n])
            {
                a += x;
                b += a;
            }
            a %= 65521;
            b %= 65521;
            data = data[n..];
        }
        return (b << 16) | a;
    }

    /// <summary>zlib's adler32_combine: the Adler-32 of A followed by B from each one's and B's length.</summary>
    private static uint AdlerCombine(uint adler1, uint adler2, long len2)
    {
        const uint Mod = 65521;
        var rem = (uint)(len2 % Mod);
        var sum1 = adler1 & 0xffff;
        var sum2 = (uint)((ulong)rem * sum1 % Mod);
        sum1 += (adler2 & 0xffff) + Mod - 1;
        sum2 += ((adler1 >> 16) & 0xffff) + ((adler2 >> 16) & 0xffff) + Mod - rem;
        if (sum1 >= Mod) sum1 -= Mod;
        if (sum1 >= Mod) sum1 -= Mod;
        if (sum2 >= Mod << 1) sum2 -= Mod << 1;
        if (sum2 >= Mod) sum2 -= Mod;
        return sum1 | (sum2 << 16);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c;
    }).ToArray();

    private static uint Crc32Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xff] ^ (crc >> 8);
        }
        return crc;
    }
}
