using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Btcedu.Core.Composition;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;

namespace Btcedu.Bench;

internal sealed class BenchOptions
{
    public bool Quick { get; private set; }
    public bool ChildAll { get; private set; }
    public HashSet<string>? Only { get; private set; }
    /// <summary>Seconds a first run may take before it is cancelled (0: no limit).</summary>
    public double BudgetSeconds { get; private set; } = 300;
    public int[] Sizes { get; private set; } = [50, 200, 500, 5000];
    public string? Out { get; private set; }
    public string? Work { get; private set; }
    public bool Keep { get; private set; }
    /// <summary>Another pwsh.dll for the children (e.g. tests/run.ps1's precompiled copy of the pinned one).</summary>
    public string? PwshDll { get; private set; }
    public double[] Latencies => LatenciesGiven ?? (Quick ? [0.25] : [1.0, 5.0]);
    private double[]? LatenciesGiven { get; set; }
    public int Repeats => Quick ? 3 : 5;

    public bool Runs(string section) => Only is null || Only.Contains(section);

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        var sizesGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick": o.Quick = true; break;
                case "--child-all": o.ChildAll = true; break;
                case "--only": o.Only = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                case "--budget": o.BudgetSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--sizes": o.Sizes = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; sizesGiven = true; break;
                case "--latencies": o.LatenciesGiven = [.. Next().Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--out": o.Out = Path.GetFullPath(Next()); break;
                case "--work": o.Work = Path.GetFullPath(Next()); break;
                case "--keep": o.Keep = true; break;
                case "--pwsh": o.PwshDll = Path.GetFullPath(Next()); break;
                case "-h" or "--help":
                    Console.WriteLine("dotnet run -c Release --project bench/Btcedu.Bench [-- --quick] [--only import,local,throttle,paced,first,rerun,gallery,money,batch] [--budget SECONDS] [--sizes 50,200,500,5000] [--latencies 1,5] [--child-all] [--out FILE] [--work DIR] [--keep] [--pwsh PWSH.DLL]");
                    Environment.Exit(0);
                    break;
                default: throw new ArgumentException($"unknown option {args[i]} (try --help)");
            }
        }
        if (o.Quick && !sizesGiven)
        {
            o.Sizes = [50, 200];
        }
        if (!o.Sizes.Contains(200) && o.Runs("gallery"))
        {
            o.Sizes = [.. o.Sizes.Append(200).Order()];
        }
        return o;
    }
}

internal sealed record BenchContext(BenchOptions Options, string Repo, string Work, Pwsh Pwsh)
{
    public string Prompts => Path.Combine(Repo, "prompts");
    public string Psd1 => Path.Combine(Repo, "Btcedu.psd1");
    /// <summary>Generated episodes by chapter count, complete ones only (first runs fill it; re-runs and the gallery use it).</summary>
    public Dictionary<int, string> Generated { get; } = [];
    public List<(string What, long Bytes)> ChildPeaks { get; } = [];
    private (double Bare, double Import)? _import;

    /// <summary>Medians of a bare pwsh start and of pwsh + Import-Module, in ms, measured once: one warm-up each, then interleaved so drift hits both.</summary>
    public (double Bare, double Import) ImportTimes()
    {
        if (_import is { } known)
        {
            return known;
        }
        var importScript = ImportOnlyScript;
        Pwsh.Run("exit 0", Env.None);
        Pwsh.Run(importScript, Env.None);
        var bare = new List<double>();
        var imports = new List<ChildResult>();
        for (var i = 0; i < Options.Repeats; i++)
        {
            bare.Add(Pwsh.Run("exit 0", Env.None).WallMs);
            imports.Add(Pwsh.Run(importScript, Env.None));
        }
        ChildPeaks.Add(("pwsh + Import-Module", imports.Max(r => r.Long("peak"))));
        _import = (Stats.Median(bare), Stats.Median(imports.Select(r => r.WallMs)));
        return _import.Value;
    }

    public string ImportOnlyScript => $"Import-Module {Ps.Quote(Psd1)}; {Ps.Peak}; exit 0";
}

internal static class Env
{
    public static readonly IReadOnlyDictionary<string, string?> None = new Dictionary<string, string?>();

    public static Dictionary<string, string?> For(Uri baseUrl, string? root = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["OPENAI_BASE_URL"] = baseUrl.ToString(),
            ["OPENAI_API_KEY"] = "sk-bench",
            ["BTCEDU_MAX_EPISODE_COST_USD"] = "100000",
        };
        if (root is not null)
        {
            env["BTCEDU_ROOT"] = root;
        }
        return env;
    }
}

internal static class Episode
{
    /// <summary>A fresh workspace at <paramref name="root"/> with episode 'bench' of <paramref name="n"/> diagram chapters imported.</summary>
    public static void Create(string root, int n, IReadOnlyDictionary<string, string?> env)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        Directory.CreateDirectory(root);
        var file = Path.Combine(root, "chapters.json");
        File.WriteAllText(file, Document(n).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var ws = BtceduWorkspace.Open(root, env);
        ws.Importer.Apply(ws.Importer.Plan(file, null));
    }

    /// <summary>A run as the cmdlet makes it (default client options), from opening the workspace to the summary.</summary>
    public static async Task<(ImageGenSummary? Summary, double Ms, bool Cancelled)> Run(string root, IReadOnlyDictionary<string, string?> env, string prompts,
        int? throttle = null, TimeSpan? budget = null, Btcedu.Core.OpenAi.OpenAIServiceOptions? clientOptions = null)
    {
        using var cts = budget is { } b && b > TimeSpan.Zero ? new CancellationTokenSource(b) : new CancellationTokenSource();
        var sw = Stopwatch.StartNew();
        var ws = BtceduWorkspace.Open(root, env);
        var channel = Channel.CreateUnbounded<ImageGenEvent>();
        var drain = Task.Run(async () => { await foreach (var _ in channel.Reader.ReadAllAsync()) { } });
        try
        {
            // The cmdlet's entry point: plan, prepare under the lock with that plan, run with the workspace's providers.
            var stage = ws.ImageGenStage(prompts);
            var selection = new ImageGenSelection { ThrottleLimit = throttle };
            using var run = stage.Prepare("bench", selection, stage.Plan("bench", selection));
            using var providers = run.HasWork ? ws.OpenAIProviders(null, clientOptions) : null;
            var summary = await run.RunAsync(providers, channel.Writer, cts.Token);
            var ms = sw.Elapsed.TotalMilliseconds;
            await drain;
            return (summary, ms, cts.IsCancellationRequested);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return (null, sw.Elapsed.TotalMilliseconds, true);
        }
        finally
        {
            channel.Writer.TryComplete(); // also when the plan or the lock refused the run
        }
    }

    public static JsonObject Document(int n)
    {
        var list = new JsonArray();
        for (var i = 1; i <= n; i++)
        {
            list.Add(new JsonObject
            {
                ["chapter_id"] = $"ch{i:0000}",
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
}

/// <summary>A child `dotnet pwsh.dll` as `dotnet pwsh` starts it (the tool's own pwsh.dll, found once).</summary>
internal sealed class Pwsh(string dll, string version)
{
    public string Dll { get; } = dll;
    public string Version { get; } = version;

    public static Pwsh Locate(string repo, string? dll = null)
    {
        if (dll is not null)
        {
            var version = FileVersionInfo.GetVersionInfo(Path.Combine(Path.GetDirectoryName(dll)!, "System.Management.Automation.dll")).ProductVersion?.Split(' ', '+')[0] ?? "?";
            return new Pwsh(dll, version + " (" + Path.GetDirectoryName(dll) + ")");
        }
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", "[Console]::Out.Write($PSHOME + '|' + $PSVersionTable.PSVersion)" })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException("`dotnet pwsh` failed; run `dotnet tool restore` in the repository: " + p.StandardError.ReadToEnd());
        }
        var parts = output.Trim().Split('|');
        return new Pwsh(Path.Combine(parts[0], "pwsh.dll"), parts[1]);
    }

    /// <summary>Runs <paramref name="script"/> in a fresh process; the wall is from start to exit. Lines "BENCH key value" become values.</summary>
    public ChildResult Run(string script, IReadOnlyDictionary<string, string?> env, string? cwd = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd ?? Environment.CurrentDirectory };
        foreach (var a in new[] { Dll, "-NoProfile", "-NonInteractive", "-Command", script })
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var wall = sw.Elapsed.TotalMilliseconds;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"child pwsh exited {p.ExitCode}: {script}\n{stdout}\n{stderr.Result}");
        }
        var values = new Dictionary<string, string>();
        foreach (var line in stdout.Split('\n'))
        {
            var parts = line.Trim().Split(' ', 3);
            if (parts.Length == 3 && parts[0] == "BENCH")
            {
                values[parts[1]] = parts[2];
            }
        }
        return new ChildResult(wall, values);
    }
}

internal sealed record ChildResult(double WallMs, IReadOnlyDictionary<string, string> Values)
{
    public double Ms(string key) => double.Parse(Values[key], CultureInfo.InvariantCulture);
    public long Long(string key) => long.Parse(Values[key], CultureInfo.InvariantCulture);
}

internal static class Ps
{
    public static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
    /// <summary>Prints the child's peak working set (VmHWM on Linux) as "BENCH peak N".</summary>
    public const string Peak = "'BENCH peak ' + (Get-Process -Id $PID).PeakWorkingSet64";
    public static string Ms(string stopwatch, string key) => $"'BENCH {key} ' + {stopwatch}.Elapsed.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture)";
}

/// <summary>The Btcedu.FakeOpenAI console host in its own process, so its socket writes are not the bench's.</summary>
internal sealed class FakeProcess : IDisposable
{
    private readonly Process _process;

    private FakeProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }
    public int Pid => _process.Id;

    public static FakeProcess Start(string repo)
    {
        var dll = new[] { "Release", "Debug" }
            .Select(c => Path.Combine(repo, "tests", "Btcedu.FakeOpenAI", "bin", c, "net10.0", "Btcedu.FakeOpenAI.dll"))
            .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new InvalidOperationException("tests/Btcedu.FakeOpenAI is not built: dotnet build -c Release");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in new[] { dll, "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        var p = Process.Start(psi)!;
        var url = p.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the fake printed no URL");
        _ = p.StandardOutput.ReadLine();
        _ = Task.Run(() => p.StandardOutput.ReadToEnd());
        return new FakeProcess(p, new Uri(url));
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

internal static class ProcIo
{
    /// <summary>A field of /proc/{pid}/io (wchar: bytes passed to write(2) and friends, files, pipes and sockets alike).</summary>
    public static long Read(string pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/io"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"no {field} in /proc/{pid}/io");
    }
}

/// <summary>The bench process's peak resident set per section: VmHWM, reset through /proc/self/clear_refs (5) where allowed.</summary>
internal sealed class MemoryTracker
{
    public List<(string Section, long Peak)> Sections { get; } = [];
    public bool CanReset { get; private set; } = true;

    public void Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CanReset = false;
        }
    }

    public void Record(string section)
    {
        using var me = Process.GetCurrentProcess();
        Sections.Add((section, me.PeakWorkingSet64));
    }
}

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[(v.Count / 2) - 1] + v[v.Count / 2]) / 2;
    }

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    public static string Bytes(double bytes) => bytes switch
    {
        >= 10 * 1024 * 1024 => (bytes / 1024 / 1024).ToString("0", CultureInfo.InvariantCulture) + " MB",
        >= 10 * 1024 => (bytes / 1024).ToString("0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    public static string Verdict(double ratio, double target) => ratio <= target ? $"{ratio:0.000} PASS" : $"{ratio:0.000} MISS";

    /// <summary>A figure with PASS when it is at most (or, with atLeast, at least) the target, else MISS.</summary>
    public static string Target(double value, double target, string format = "0", bool atLeast = false) =>
        value.ToString(format, CultureInfo.InvariantCulture) + ((atLeast ? value >= target : value <= target) ? " PASS" : " MISS");
}

internal static class Paths
{
    public static string Repo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Btcedu.psd1")) && File.Exists(Path.Combine(dir.FullName, "prompts", "imagegen.md")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the repository (Btcedu.psd1) is not above the bench's folder");
    }

    public static long SizeOf(string dir) =>
        Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
}

internal static class Machine
{
    public static string Describe(Pwsh pwsh, BenchOptions options)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? RuntimeInformation.OSDescription
            : RuntimeInformation.OSDescription;
        var mem = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        var sb = new StringBuilder();
        sb.AppendLine("| machine | |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"| cores | {Environment.ProcessorCount} |");
        sb.AppendLine($"| CPU | {cpu} |");
        sb.AppendLine($"| memory | {mem} |");
        sb.AppendLine($"| OS | {os} ({RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture}) |");
        sb.AppendLine($"| .NET | {RuntimeInformation.FrameworkDescription} (bench); PowerShell {pwsh.Version} (children) |");
        sb.AppendLine($"| commit | {Git("rev-parse --short HEAD")} on {Git("rev-parse --abbrev-ref HEAD")} |");
        sb.AppendLine($"| date | {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC |");
        sb.AppendLine($"| load average at start | {LoadAverage()} (1, 5, 15 min; above the core count, other processes share the CPUs and every figure is slower) |");
        sb.AppendLine($"| options | {(options.Quick ? "--quick" : "full")}, first-run budget {(options.BudgetSeconds > 0 ? options.BudgetSeconds + " s" : "none")} |");
        return sb.ToString();
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string Git(string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Paths.Repo() };
            using var p = Process.Start(psi)!;
            var s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? s : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}

internal sealed class Table(string title, params string[] columns)
{
    public string Title { get; } = title;
    public string[] Columns { get; } = columns;
    public List<string[]> Rows { get; } = [];
    public List<string> Notes { get; } = [];

    public void Add(params object[] cells) => Rows.Add([.. cells.Select(c => c switch
    {
        double d => d.ToString(Math.Abs(d) >= 100 ? "0" : "0.0##", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => c?.ToString() ?? "",
    })]);

    public string Markdown()
    {
        var widths = Columns.Select((c, i) => Math.Max(c.Length, Rows.Select(r => i < r.Length ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        var sb = new StringBuilder();
        sb.AppendLine("### " + Title).AppendLine();
        sb.AppendLine(Line(Columns));
        sb.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var r in Rows)
        {
            sb.AppendLine(Line(r.Concat(Enumerable.Repeat("", Math.Max(0, Columns.Length - r.Length)))));
        }
        if (Notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var n in Notes)
            {
                sb.AppendLine("- " + n);
            }
        }
        return sb.ToString();
    }
}

internal sealed class Report(string machine)
{
    public List<Table> Tables { get; } = [];
    public string Footer { get; set; } = "";

    public void Add(Table t) => Tables.Add(t);

    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Btcedu bench results").AppendLine();
        sb.AppendLine(machine);
        foreach (var t in Tables)
        {
            sb.AppendLine(t.Markdown());
        }
        sb.AppendLine(Footer);
        return sb.ToString();
    }
}
