using System.Diagnostics;
using System.Globalization;
using Btcedu.Bench;

// The Btcedu benchmark (docs/PERFORMANCE.md): every row of issue 15 in one run against the loopback fake, printed
// as markdown tables under the machine's description and written to artifacts/bench/results.md.
//   dotnet run -c Release --project bench/Btcedu.Bench [-- --quick] [--only import,local,throttle,paced,first,rerun,gallery,money,batch]
//              [--budget SECONDS] [--sizes 50,200,500,5000] [--latencies 1,5] [--child-all] [--out FILE] [--work DIR] [--keep] [--pwsh PWSH.DLL]
// Never part of the tests: tests/run.ps1 builds it (it is in Btcedu.sln) and never runs it.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
var repo = Paths.Repo();
// Its own folder per process: another checkout's bench (or an older one) must not delete it mid-run.
var work = options.Work ?? Path.Combine(Path.GetTempPath(), $"btcedu-bench-{Environment.ProcessId}");
if (Directory.Exists(work))
{
    Directory.Delete(work, recursive: true);
}
Directory.CreateDirectory(work);

var total = Stopwatch.StartNew();
var pwsh = Pwsh.Locate(repo, options.PwshDll);
var ctx = new BenchContext(options, repo, work, pwsh);
var report = new Report(Machine.Describe(pwsh, options));
var memory = new MemoryTracker();

static Func<BenchContext, Task<Table[]>> One(Func<BenchContext, Task<Table>> section) => async c => [await section(c)];
foreach (var (name, section) in new (string, Func<BenchContext, Task<Table[]>>)[]
{
    ("import", One(Sections.ImportModule)),
    ("local", LocalStage.Run),
    ("throttle", One(Sections.Throttle)),
    ("paced", One(Sections.Paced)),
    ("first", One(Sections.FirstRuns)),
    ("rerun", One(Sections.Reruns)),
    ("gallery", One(Sections.Gallery)),
    ("money", One(Sections.Money)),
    ("batch", One(Sections.Batch)),
})
{
    if (!options.Runs(name))
    {
        continue;
    }
    Console.Error.WriteLine($"[bench {total.Elapsed:mm\\:ss}] {name}…");
    memory.Reset();
    var sw = Stopwatch.StartNew();
    Table[] tables;
    try
    {
        tables = await section(ctx);
    }
    catch (Exception e)
    {
        var failed = new Table($"{name}: failed", "error");
        failed.Add(e.GetType().Name + ": " + e.Message.ReplaceLineEndings(" "));
        Console.Error.WriteLine(e);
        tables = [failed];
    }
    tables[^1].Notes.Add($"section took {sw.Elapsed.TotalSeconds:0} s");
    memory.Record(name);
    foreach (var table in tables)
    {
        report.Add(table);
        Console.WriteLine(table.Markdown());
    }
}

report.Add(Sections.Memory(ctx, memory));
report.Footer = $"Full bench took {total.Elapsed.TotalSeconds:0} s ({total.Elapsed.TotalMinutes:0.0} min); load average at the end {Machine.LoadAverage()}.";
var markdown = report.Markdown();
Console.WriteLine(report.Tables[^1].Markdown());
Console.WriteLine(report.Footer);
var outFile = options.Out ?? Path.Combine(repo, "artifacts", "bench", "results.md");
Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
await File.WriteAllTextAsync(outFile, markdown);
Console.WriteLine();
Console.WriteLine("==== full report ====");
Console.WriteLine(markdown);
if (options.Keep)
{
    Console.WriteLine($"written to {outFile}; workspaces left under {work}");
}
else
{
    Directory.Delete(work, recursive: true);
    Console.WriteLine($"written to {outFile} (--keep leaves the workspaces)");
}
