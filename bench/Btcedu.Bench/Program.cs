using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Btcedu.Core.Chapters;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Workspace;
using Btcedu.Core.Composition;
using Btcedu.Core.Episodes;

// Measures, for an episode of N chapters (default 500, every one a diagram with its own prompt):
// import, a first full run against the loopback fake (normalising every PNG), a plan, and the up-to-date re-run
// that issue 6 wants "well under a second"; then a paced run (image_rate_limit_per_minute) against the fake's
// emulated images-per-minute limit, with the window shrunk from a minute to 6 s so it takes seconds.
// Prints a table; leaves the workspace for bench/rerun.ps1.
var chapters = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
var root = Path.Combine(Path.GetTempPath(), "btcedu-bench");
if (Directory.Exists(root))
{
    Directory.Delete(root, recursive: true);
}
Directory.CreateDirectory(root);
var prompts = FindUp("prompts");

await using var server = await FakeOpenAIServer.StartAsync();
server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ImageBase64(TestImages.Png(1536, 1024)));
var env = new Dictionary<string, string?> { ["OPENAI_BASE_URL"] = server.BaseUrl.ToString(), ["OPENAI_API_KEY"] = "sk-bench", ["BTCEDU_MAX_EPISODE_COST_USD"] = "1000" };

var document = Document(chapters);
var file = Path.Combine(root, "chapters.json");
await File.WriteAllTextAsync(file, document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

var rows = new List<(string What, double Ms)>();
var ws = BtceduWorkspace.Open(root, env);
rows.Add(("import " + chapters + " chapters", Time(() => ws.Importer.Apply(ws.Importer.Plan(file, null)))));

double first = 0;
{
    var sw = Stopwatch.StartNew();
    var summary = await Run(ws);
    first = sw.Elapsed.TotalMilliseconds;
    rows.Add(($"first run: {summary.Generated} images (fake API, normalised to 1920x1080)", first));
}
rows.Add(("  per image", first / chapters));

var plans = Enumerable.Range(0, 5).Select(_ => Time(() => Stage(BtceduWorkspace.Open(root, env)).Plan("bench", new ImageGenSelection()))).Order().ToList();
rows.Add(("plan (open workspace + decide every chapter), median of 5", plans[2]));

var reruns = new List<double>();
for (var i = 0; i < 5; i++)
{
    var sw = Stopwatch.StartNew();
    var summary = await Run(BtceduWorkspace.Open(root, env));
    reruns.Add(sw.Elapsed.TotalMilliseconds);
    if (summary.Generated != 0 || summary.Unchanged != chapters)
    {
        throw new InvalidOperationException($"re-run was not a no-op: {summary}");
    }
}
reruns.Sort();
rows.Add(("up-to-date re-run (lock, plan, verify, finish), median of 5", reruns[2]));
rows.Add(("up-to-date re-run, worst of 5", reruns[^1]));

// The review gallery of the episode: a cold export (thumbnails made) and a warm one (nothing changed).
var galleryDir = Path.Combine(root, "gallery-bench");
rows.Add(($"gallery export, {chapters} chapters, cold", Time(() => BtceduWorkspace.Open(root, env).GalleryExporter().Export(["bench"], galleryDir))));
rows.Add(($"gallery export, {chapters} chapters, warm (nothing changed)", Time(() => BtceduWorkspace.Open(root, env).GalleryExporter().Export(["bench"], galleryDir))));

rows.AddRange(await PacedRuns(prompts));

Console.WriteLine($"Btcedu bench — {chapters} chapters, {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
foreach (var (what, ms) in rows)
{
    Console.WriteLine($"  {what,-62} {ms,10:0.0} ms");
}
Console.WriteLine($"workspace left at {root} (episode 'bench') for bench/rerun.ps1");
return;

ImageGenStage Stage(BtceduWorkspace w) => w.ImageGenStage(prompts);

async Task<ImageGenSummary> Run(BtceduWorkspace w)
{
    var channel = Channel.CreateUnbounded<ImageGenEvent>();
    var fast = new OpenAIServiceOptions { BaseDelay = TimeSpan.FromMilliseconds(5) };
    using var images = new OpenAIImageGenService(w.Settings, fast);
    using var text = new OpenAITextGenService(w.Settings, fast);
    var run = Stage(w).RunAsync("bench", new ImageGenSelection(), images, text, channel.Writer, CancellationToken.None);
    await foreach (var _ in channel.Reader.ReadAllAsync()) { }
    return await run;
}

// 24 chapters, 0.5 s per image, 4 workers, an account limit of 12 images per window (6 s here, a minute for real).
// The least a paced run can take: the 13th call waits out the window, then the last 12 go 4 at a time.
static async Task<List<(string, double)>> PacedRuns(string prompts)
{
    const int n = 24, limit = 12;
    var window = TimeSpan.FromSeconds(6);
    var latency = TimeSpan.FromMilliseconds(500);
    var rows = new List<(string, double)>();
    foreach (var paced in new[] { true, false })
    {
        var root = Path.Combine(Path.GetTempPath(), "btcedu-bench-paced-" + paced);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        Directory.CreateDirectory(root);
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Images.ImagesPerMinute = limit;
        server.Images.RateWindow = window;
        server.Images.Latency = latency;
        var env = new Dictionary<string, string?> { ["OPENAI_BASE_URL"] = server.BaseUrl.ToString(), ["OPENAI_API_KEY"] = "sk-bench", ["BTCEDU_MAX_EPISODE_COST_USD"] = "1000" };
        if (paced)
        {
            env["BTCEDU_IMAGE_RATE_LIMIT_PER_MINUTE"] = limit.ToString(CultureInfo.InvariantCulture);
        }
        var file = Path.Combine(root, "chapters.json");
        var doc = Document(n);
        await File.WriteAllTextAsync(file, doc.ToJsonString());
        var w = BtceduWorkspace.Open(root, env);
        w.Importer.Apply(w.Importer.Plan(file, null));
        var options = new OpenAIServiceOptions { BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(10), RateWindow = window };
        using var images = new OpenAIImageGenService(w.Settings, options);
        using var text = new OpenAITextGenService(w.Settings, options);
        var channel = Channel.CreateUnbounded<ImageGenEvent>();
        var sw = Stopwatch.StartNew();
        var run = w.ImageGenStage(prompts).RunAsync("bench", new ImageGenSelection { ThrottleLimit = 4 }, images, text, channel.Writer, CancellationToken.None);
        await foreach (var _ in channel.Reader.ReadAllAsync()) { }
        var summary = await run;
        var ideal = window + (Math.Ceiling((double)(n - limit) / 4) * latency);
        rows.Add(($"{(paced ? "paced" : "unpaced")}: {n} images, limit {limit}/{window.TotalSeconds:0}s, {summary.Generated} generated, {server.Images.RateLimitHits} x 429; wall (least possible {ideal.TotalMilliseconds:0} ms)", sw.Elapsed.TotalMilliseconds));
    }
    return rows;
}

static double Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed.TotalMilliseconds;
}

static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

static JsonObject Document(int n)
{
    var list = new JsonArray();
    for (var i = 1; i <= n; i++)
    {
        list.Add(new JsonObject
        {
            ["chapter_id"] = $"ch{i:000}",
            ["title"] = $"Bölüm {i}: Şifreli İmzalar",
            ["order"] = i,
            ["narration"] = new JsonObject { ["text"] = "Özel anahtar imzalar, açık anahtar doğrular.", ["word_count"] = 6, ["estimated_duration_seconds"] = 3 },
            ["visual"] = new JsonObject { ["type"] = "diagram", ["description"] = $"Diagram {i}: a key signing a transaction", ["image_prompt"] = $"Flat diagram number {i} of a key signing a transaction" },
            ["overlays"] = new JsonArray(),
            ["transitions"] = new JsonObject { ["in"] = "cut", ["out"] = "cut" },
            ["notes"] = null,
        });
    }
    return new JsonObject
    {
        ["schema_version"] = "1.0", ["episode_id"] = "bench", ["title"] = "Bench", ["total_chapters"] = n,
        ["estimated_duration_seconds"] = 3 * n, ["chapters"] = list,
    };
}

static string FindUp(string name)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (Directory.Exists(Path.Combine(dir.FullName, name, "")) && File.Exists(Path.Combine(dir.FullName, name, "imagegen.md")))
        {
            return Path.Combine(dir.FullName, name);
        }
    }
    throw new InvalidOperationException($"{name}/ not found");
}
