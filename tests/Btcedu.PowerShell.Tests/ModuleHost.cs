using System.Collections.ObjectModel;
using System.Management.Automation.Runspaces;

// The module's cmdlets read BTCEDU_ROOT and OPENAI_* from the process environment, which every runspace shares.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Btcedu.PowerShell.Tests;

/// <summary>
/// Btcedu.psd1 imported into a fresh runspace of the PowerShell SDK in this process, as Import-Module does for an
/// operator: the module's own AssemblyLoadContext, its format views, its completers. Scripts run in that runspace;
/// a non-terminating error is collected, never thrown, so tests read the ErrorRecord a script would see.
/// </summary>
public sealed class ModuleHost : IDisposable
{
    private readonly Runspace _runspace;

    public ModuleHost()
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(Path.Combine(Repo, "Btcedu.psd1"));
        state.ThrowOnRunspaceOpenError = true;
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    /// <summary>The repository root: where Btcedu.psd1 is, above this test's output folder.</summary>
    public static string Repo { get; } = FindRepo();

    public static string Sample => Path.Combine(Repo, "data/samples/demo/chapters.json");

    /// <summary>Runs <paramref name="script"/>; a terminating error throws (as RuntimeException), others are in <c>Errors</c>.</summary>
    public Collection<PSObject> Run(string script, out IReadOnlyList<ErrorRecord> errors, IDictionary<string, object?>? variables = null)
    {
        using var ps = System.Management.Automation.PowerShell.Create(_runspace);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
        {
            _runspace.SessionStateProxy.SetVariable(name, value);
        }
        ps.AddScript(script);
        var output = ps.Invoke();
        errors = [.. ps.Streams.Error];
        return output;
    }

    /// <summary>Runs <paramref name="script"/> and fails the test on any error.</summary>
    public Collection<PSObject> Run(string script, IDictionary<string, object?>? variables = null)
    {
        var output = Run(script, out var errors, variables);
        Assert.True(errors.Count == 0, "unexpected error: " + string.Join(" | ", errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
        return output;
    }

    /// <summary>What Tab offers at the end of <paramref name="line"/>, as TabExpansion2 computes it.</summary>
    public IReadOnlyList<CompletionResult> Complete(string line)
    {
        using var ps = System.Management.Automation.PowerShell.Create(_runspace);
        return CommandCompletion.CompleteInput(line, line.Length, null, ps).CompletionMatches;
    }

    /// <summary>A new empty workspace root, set as BTCEDU_ROOT for the cmdlets.</summary>
    public static string NewWorkspace()
    {
        var root = Path.Combine(Path.GetTempPath(), "btcedu-sdk-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        Environment.SetEnvironmentVariable("BTCEDU_ROOT", root);
        return root;
    }

    public void Dispose() => _runspace.Dispose();

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Btcedu.psd1")) && Directory.Exists(Path.Combine(dir.FullName, "module")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Btcedu.psd1 with its built module/ was not found above " + AppContext.BaseDirectory + ": build the solution first.");
    }
}
