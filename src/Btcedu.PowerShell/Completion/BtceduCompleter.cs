using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Btcedu.Core.Composition;
using Btcedu.Core.Settings;

namespace Btcedu.PowerShell.Completion;

/// <summary>
/// What the module's argument completers share: the workspace the cmdlets would use ($env:BTCEDU_ROOT, else the
/// current location), read through <see cref="WorkspaceLookup"/> (read-only, never creates data/btcedu.db), and
/// one matching rule: the word typed so far is a prefix, compared ignoring case (ids themselves stay exact).
/// A completer never throws: whatever goes wrong, it offers nothing.
/// </summary>
public abstract class BtceduCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var quote = wordToComplete.Length > 0 && wordToComplete[0] is '\'' or '"' ? wordToComplete[..1] : "";
        var typed = wordToComplete.Trim('\'', '"');
        try
        {
            return [.. Candidates(Lookup(), fakeBoundParameters)
                .Where(c => c.Value.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(c => new CompletionResult(quote + c.Value + quote, c.Value, CompletionResultType.ParameterValue, string.IsNullOrEmpty(c.ToolTip) ? c.Value : c.ToolTip))];
        }
#pragma warning disable CA1031 // completion must never surface an exception in the middle of typing
        catch (Exception)
#pragma warning restore CA1031
        {
            return [];
        }
    }

    /// <summary>Every value this parameter can take here, with its tooltip.</summary>
    protected abstract IEnumerable<(string Value, string ToolTip)> Candidates(WorkspaceLookup workspace, IDictionary fakeBoundParameters);

    private static WorkspaceLookup Lookup()
    {
        var environment = SettingsLoader.ProcessEnvironment();
        return new WorkspaceLookup(BtceduWorkspace.ResolveRoot(environment, CurrentLocation()), environment);
    }

    // The session's file-system location (the completer runs inside TabExpansion2's pipeline, so it asks a nested
    // command on the same runspace; SessionStateProxy refuses while a pipeline runs).
    private static string CurrentLocation()
    {
        using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand(@"Microsoft.PowerShell.Management\Get-Location").AddParameter("PSProvider", "FileSystem");
        return ps.Invoke<PathInfo>().FirstOrDefault()?.ProviderPath ?? Environment.CurrentDirectory;
    }

    /// <summary>The values already on the command line for a parameter (by name or alias), as strings.</summary>
    protected static IEnumerable<string> BoundStrings(IDictionary fakeBoundParameters, params string[] names)
    {
        foreach (var name in names)
        {
            if (!fakeBoundParameters.Contains(name))
            {
                continue;
            }
            var value = fakeBoundParameters[name];
            var values = value is IEnumerable list and not string ? list.Cast<object?>() : [value];
            foreach (var item in values)
            {
                if ((item is PSObject ps ? ps.BaseObject : item) is string s && s.Length > 0)
                {
                    yield return s;
                }
            }
        }
    }
}
