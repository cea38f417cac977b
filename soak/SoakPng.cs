using System;
using System.IO;
using System.IO.Compression;

namespace Btcedu.Soak
{
    /// <summary>
    /// A full, independent decode of a PNG file for the fault soak: signature, every chunk's CRC, IHDR, IDAT ending
    /// in IEND, a complete zlib inflate to exactly the expected length, and every scanline unfiltered. Reads the
    /// image's pixels, so it can say whether the centre block is one colour and which (the fake encodes its image id in it).
    /// No third-party code: the soak must not trust the product's own decoder to check the product's images.
    /// </summary>
    public static class SoakPng
    {
        public sealed class Result
        {
            public int Width { get; set; }
            public int Height { get; set; }
            /// <summary>(red &lt;&lt; 16) | (green &lt;&lt; 8) | blue of the centre pixel.</summary>
            public long CenterRgb { get; set; }
            /// <summary>
            /// Whether every pixel of the 48×16 block around the centre has the centre pixel's colour: the fake's realistic
            /// PNGs (tests/Btcedu.Core.Tests/Fakes/RealisticPng.cs) carry their image id in a 64×32 block there, which
            /// survives the crop to 1920×1080.
            /// </summary>
            public bool CentreUniform { get; set; }
            public string Error { get; set; }
            public bool Valid => Error == null;
        }

        private static readonly uint[] CrcTable = MakeCrcTable();

        public static Result Check(string path)
        {
            var r = new Result();
            try
            {
                Decode(File.ReadAllBytes(path), r);
            }
            catch (Exception e) when (e is InvalidDataException || e is IOException || e is ArgumentException || e is IndexOutOfRangeException)
            {
                r.Error = e.Message;
            }
            return r;
        }

        private static void Decode(byte[] b, Result r)
        {
            byte[] signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
            if (b.Length < 8)
            {
                throw new InvalidDataException("shorter than a PNG signature");
            }
            for (var i = 0; i < 8; i++)
            {
                if (b[i] != signature[i])
                {
                    throw new InvalidDataException("no PNG signature");
                }
            }
            var idat = new MemoryStream();
            int width = 0, height = 0, channels = 0;
            var pos = 8;
            var sawIend = false;
            var first = true;
            while (pos < b.Length)
            {
                if (pos + 12 > b.Length)
                {
                    throw new InvalidDataException($"truncated chunk header at byte {pos}");
                }
                var length = (int)BigEndian(b, pos);
                var type = System.Text.Encoding.ASCII.GetString(b, pos + 4, 4);
                if (length < 0 || pos + 12 + (long)length > b.Length)
                {
                    throw new InvalidDataException($"chunk {type} runs past the end of the file (truncated)");
                }
                var crc = BigEndian(b, pos + 8 + length);
                if (Crc(b, pos + 4, length + 4) != crc)
                {
                    throw new InvalidDataException($"chunk {type} has a bad CRC");
                }
                if (first && type != "IHDR")
                {
                    throw new InvalidDataException("the first chunk is not IHDR");
                }
                first = false;
                switch (type)
                {
                    case "IHDR":
                        width = (int)BigEndian(b, pos + 8);
                        height = (int)BigEndian(b, pos + 12);
                        int depth = b[pos + 16], colour = b[pos + 17], interlace = b[pos + 20];
                        if (depth != 8 || interlace != 0 || (colour != 2 && colour != 6))
                        {
                            throw new InvalidDataException($"unsupported layout: depth {depth}, colour type {colour}, interlace {interlace}");
                        }
                        channels = colour == 6 ? 4 : 3;
                        break;
                    case "IDAT":
                        idat.Write(b, pos + 8, length);
                        break;
                    case "IEND":
                        sawIend = true;
                        break;
                }
                pos += 12 + length;
                if (sawIend)
                {
                    break;
                }
            }
            if (!sawIend)
            {
                throw new InvalidDataException("no IEND chunk (truncated)");
            }
            if (pos != b.Length)
            {
                throw new InvalidDataException("bytes after IEND");
            }
            if (width <= 0 || height <= 0)
            {
                throw new InvalidDataException("no size");
            }
            r.Width = width;
            r.Height = height;
            var stride = width * channels;
            var raw = new byte[(long)height * (stride + 1)];
            idat.Position = 0;
            using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            {
                var read = 0;
                while (read < raw.Length)
                {
                    var n = z.Read(raw, read, raw.Length - read);
                    if (n == 0)
                    {
                        throw new InvalidDataException($"image data ends after {read} of {raw.Length} bytes (truncated)");
                    }
                    read += n;
                }
                if (z.Read(new byte[1], 0, 1) != 0)
                {
                    throw new InvalidDataException("more image data than the size allows");
                }
            }
            var prev = new byte[stride];
            var cur = new byte[stride];
            long centre = -1;
            var uniform = true;
            var cx = (width / 2) * channels;
            var cy = height / 2;
            var rows = new byte[height >= 16 ? 16 : height][];
            for (var y = 0; y < height; y++)
            {
                var o = y * (stride + 1);
                var filter = raw[o];
                for (var x = 0; x < stride; x++)
                {
                    int a = x >= channels ? cur[x - channels] : 0, up = prev[x], c = x >= channels ? prev[x - channels] : 0;
                    int v = raw[o + 1 + x];
                    switch (filter)
                    {
                        case 0: break;
                        case 1: v += a; break;
                        case 2: v += up; break;
                        case 3: v += (a + up) / 2; break;
                        case 4: v += Paeth(a, up, c); break;
                        default: throw new InvalidDataException($"row {y} has filter type {filter}");
                    }
                    cur[x] = (byte)v;
                }
                if (y >= cy - 8 && y < cy + 8 && y - (cy - 8) < rows.Length)
                {
                    rows[y - (cy - 8)] = (byte[])cur.Clone();
                }
                if (y == cy)
                {
                    centre = ((long)cur[cx] << 16) | ((long)cur[cx + 1] << 8) | cur[cx + 2];
                }
                (prev, cur) = (cur, prev);
            }
            foreach (var row in rows)
            {
                for (var x = Math.Max(0, cx - 24 * channels); uniform && row != null && x < Math.Min(stride, cx + 24 * channels); x += channels)
                {
                    uniform = ((long)row[x] << 16 | (long)row[x + 1] << 8 | row[x + 2]) == centre;
                }
            }
            r.CenterRgb = centre;
            r.CentreUniform = uniform;
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }

        private static uint BigEndian(byte[] b, int i) => ((uint)b[i] << 24) | ((uint)b[i + 1] << 16) | ((uint)b[i + 2] << 8) | b[i + 3];

        private static uint Crc(byte[] b, int offset, int count)
        {
            var c = 0xFFFFFFFFu;
            for (var i = offset; i < offset + count; i++)
            {
                c = CrcTable[(c ^ b[i]) & 0xFF] ^ (c >> 8);
            }
            return c ^ 0xFFFFFFFFu;
        }

        private static uint[] MakeCrcTable()
        {
            var t = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }
                t[n] = c;
            }
            return t;
        }
    }
}
