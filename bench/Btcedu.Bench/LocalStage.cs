using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Btcedu.Core.Imaging;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Workspace;
using SkiaSharp;

namespace Btcedu.Bench;

/// <summary>
/// The local stage's CPU per realistic image (issue 22: at most 120 ms at p50), step by step, and the PNG encoder
/// settings it was chosen from. Thread CPU time (CLOCK_THREAD_CPUTIME_ID), one image at a time on one thread, so
/// other load on the machine slows it less than wall time; wall time is shown beside it.
/// </summary>
internal static class LocalStage
{
    private const int Images = 12;

    public static Task<Table[]> Run(BenchContext ctx)
    {
        // The answers as the fake sends them (JSON with the base64 image), one prompt each.
        var api = new FakeImageApi();
        var bodies = Enumerable.Range(0, Images).Select(i =>
            api.Answer($$"""{"model":"gpt-image-2","prompt":"bench image {{i}}","size":"1920x1088","quality":"medium"}""", new Dictionary<string, string>()).Body).ToArray();
        var dir = Path.Combine(ctx.Work, "local");
        Directory.CreateDirectory(dir);

        var steps = new Table($"Local stage per realistic image (1920x1088 PNG from the fake, {Images} images, one thread, medians)",
            "step", "CPU ms", "wall ms");
        var samples = new Dictionary<string, List<(double Cpu, double Wall)>>();
        var totals = new List<double>();
        var before = new List<double>();
        byte[]? lastSource = null;
        long sourceBytes = 0, outBytes = 0, oldBytes = 0;
        foreach (var body in bodies)
        {
            var total = 0.0;
            T Step<T>(string name, Func<T> f)
            {
                var c0 = ThreadCpu.Ms();
                var sw = Stopwatch.StartNew();
                var r = f();
                var cpu = ThreadCpu.Ms() - c0;
                (samples.TryGetValue(name, out var l) ? l : samples[name] = []).Add((cpu, sw.Elapsed.TotalMilliseconds));
                total += cpu;
                return r;
            }
            var source = Step("JSON parse + base64 decode of the answer", () =>
            {
                using var doc = JsonDocument.Parse(body);
                return doc.RootElement.GetProperty("data")[0].GetProperty("b64_json").GetBytesFromBase64();
            });
            lastSource = source;
            sourceBytes += source.Length;
            var image = Step("decode, crop, PNG encode, thumbnail (ImageNormalizer.Normalize)", () => ImageNormalizer.Normalize(source));
            outBytes += image.Png.Length;
            Step("SHA-256 of the PNG", () => SHA256.HashData(image.Png));
            var staged = Path.Combine(dir, "ch.png.delivered");
            Step("atomic write of the PNG (temp, fsync, rename), then into place", () =>
            {
                AtomicFile.WriteAllBytes(staged, image.Png);
                File.Move(staged, Path.Combine(dir, "ch.png"), overwrite: true);
                return 0;
            });
            Step("atomic write of the thumbnail", () =>
            {
                AtomicFile.WriteAllBytes(Path.Combine(dir, "thumb.jpg"), image.Thumbnail ?? []);
                return 0;
            });
            totals.Add(total);
            // The stage before issue 22, for the same image: an RGBA surface drawn and encoded with Skia's default, hashed;
            // the answer's parsing and the PNG's write counted as now (no thumbnail: the gallery made it then).
            var c = ThreadCpu.Ms();
            oldBytes += Before(source).Length;
            before.Add(ThreadCpu.Ms() - c + samples["JSON parse + base64 decode of the answer"][^1].Cpu
                + samples["atomic write of the PNG (temp, fsync, rename), then into place"][^1].Cpu);
        }
        foreach (var (name, list) in samples)
        {
            steps.Add(name, Stats.Median(list.Select(s => s.Cpu)), Stats.Median(list.Select(s => s.Wall)));
        }
        var p50 = Stats.Median(totals);
        steps.Add("**sum per image (p50)**", Verdict(p50, 120), "");
        steps.Add("before issue 22 (decode, RGBA surface, Skia's default PNG encode), p50", Verdict(Stats.Median(before), 120), "");
        steps.Notes.Add($"source PNG {Stats.Bytes(sourceBytes / Images)}; frame at rest {Stats.Bytes(outBytes / Images)} now, {Stats.Bytes(oldBytes / Images)} before ({(double)outBytes / oldBytes - 1:+0%;-0%}; target at most +20 %).");
        steps.Notes.Add("not here: the journal's and media_assets' SQLite rows and the manifest's share; the first-run table's CPU ms/image (whole process over the run) includes them and the API stage.");
        steps.Notes.Add("target: at most 120 ms CPU per image at p50.");

        var encoders = EncoderTable(lastSource!);
        return Task.FromResult(new[] { steps, encoders });
    }

    /// <summary>Time versus bytes of Skia's PNG encoder for the 1920x1080 frame of a realistic image.</summary>
    private static Table EncoderTable(byte[] source)
    {
        var t = new Table("PNG encoder settings for the 1920x1080 frame (thread CPU, median of 5)", "filters", "zlib level", "CPU ms", "wall ms", "bytes", "vs before");
        using var bitmap = SKBitmap.Decode(source);
        using var pixmap = bitmap.PeekPixels();
        using var window = pixmap.ExtractSubset(SKRectI.Create(0, (bitmap.Height - 1080) / 2, 1920, 1080))!;
        using var rgb = new SKPixmap(window.Info.WithAlphaType(SKAlphaType.Opaque), window.GetPixels(), window.RowBytes);
        using var rgba = new SKPixmap(window.Info.WithAlphaType(SKAlphaType.Premul), window.GetPixels(), window.RowBytes);
        // Every row is a PngEncoding, timed the same way: Skia's settings first, the product's own writer last.
        var rows = new List<(string Filters, string Level, PngEncoding Encoding, SKPixmap Pixels)>
        {
            ("all (Skia's default), RGBA: before", "6", PngEncoding.SkiaDefault, rgba),
        };
        foreach (var (name, flags) in new[] { ("all", SKPngEncoderFilterFlags.AllFilters), ("none", SKPngEncoderFilterFlags.NoFilters),
            ("sub", SKPngEncoderFilterFlags.Sub), ("up", SKPngEncoderFilterFlags.Up), ("paeth", SKPngEncoderFilterFlags.Paeth) })
        {
            foreach (var z in new[] { 1, 2, 3, 6 })
            {
                rows.Add((name + ", RGB", z.ToString(CultureInfo.InvariantCulture), new SkiaPng(flags, z), rgb));
            }
        }
        if (RunLengthPng.IsAvailable)
        {
            rows.Add(("paeth, RGB, own writer: the product", "run-length", new RunLengthPng(), rgb));
        }
        double baseline = 0;
        foreach (var (filters, level, encoding, pixels) in rows)
        {
            var cpu = new List<double>();
            var wall = new List<double>();
            long bytes = 0;
            for (var i = 0; i < 5; i++)
            {
                var c0 = ThreadCpu.Ms();
                var sw = Stopwatch.StartNew();
                bytes = encoding.Encode(pixels).Length;
                wall.Add(sw.Elapsed.TotalMilliseconds);
                cpu.Add(ThreadCpu.Ms() - c0);
            }
            baseline = baseline == 0 ? bytes : baseline;
            t.Add(filters, level, Stats.Median(cpu), Stats.Median(wall), Stats.Bytes(bytes), $"{bytes / baseline - 1:+0%;-0%}");
        }
        t.Notes.Add("RGB: the frame is opaque, so it is encoded without an alpha channel (the stage before issue 22 wrote RGBA).");
        t.Notes.Add("the product uses Skia's Paeth at zlib level 1 only on .NET 8; see the own encoder's row (src/Btcedu.Core/Imaging/RunLengthPng.cs).");
        return t;
    }

    /// <summary>The normaliser as it was before issue 22 (src/Btcedu.Core/Imaging/ImageNormalizer.cs at main 33b20fe).</summary>
    private static byte[] Before(byte[] source)
    {
        using var bitmap = SKBitmap.Decode(source);
        using var surface = SKSurface.Create(new SKImageInfo(1920, 1080, SKColorType.Rgba8888, SKAlphaType.Premul))!;
        using var image = SKImage.FromBitmap(bitmap);
        surface.Canvas.Clear(SKColors.Black);
        surface.Canvas.DrawImage(image, SKRect.Create(0, (bitmap.Height - 1080) / 2f, 1920, 1080), SKRect.Create(1920, 1080), new SKSamplingOptions(SKFilterMode.Nearest), null);
        surface.Canvas.Flush();
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        var bytes = png.ToArray();
        SHA256.HashData(bytes);
        return bytes;
    }

    private static string Verdict(double ms, double target) =>
        ms.ToString("0.0", CultureInfo.InvariantCulture) + (ms <= target ? " PASS" : " MISS");
}

/// <summary>The calling thread's CPU time (Linux, macOS: clock_gettime; elsewhere the process's, which overstates it).</summary>
internal static class ThreadCpu
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    public static double Ms()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t) == 0)
        {
            return t.Seconds * 1000.0 + t.Nanoseconds / 1e6;
        }
        return Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
    }
}
