using System.Globalization;
using System.Management.Automation;
using System.Threading.Channels;
using Btcedu.Core;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;
using Btcedu.Core.Composition;
using Btcedu.Core.Settings;

namespace Btcedu.PowerShell.Commands;

/// <summary>
/// What every Btcedu cmdlet shares: the workspace (opened once per invocation), cancellation on Ctrl+C,
/// and one shape for errors (ErrorId, category, and the failing input as target).
/// </summary>
public abstract partial class BtceduCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private BtceduWorkspace? _workspace;

    protected CancellationToken Cancellation => _stopping.Token;

    /// <summary>The workspace at $env:BTCEDU_ROOT, else the current location; settings errors stop the command.</summary>
    protected BtceduWorkspace Workspace => _workspace ??= OpenWorkspace();

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();

    private BtceduWorkspace OpenWorkspace()
    {
        var environment = SettingsLoader.ProcessEnvironment();
        var root = BtceduWorkspace.ResolveRoot(environment, SessionState.Path.CurrentFileSystemLocation.ProviderPath);
        BtceduWorkspace workspace;
        try
        {
            workspace = BtceduWorkspace.Open(root, environment);
        }
        catch (BtceduException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
            throw; // not reached
        }
        foreach (var warning in workspace.Settings.Warnings)
        {
            WriteWarning(warning);
        }
        // Every Get reports from the runs' records, so it applies the workspace's settling policy first.
        if (GetType().GetCustomAttributes(typeof(CmdletAttribute), inherit: false) is [CmdletAttribute { VerbName: VerbsCommon.Get }]
            && workspace.SettleInterruptedRuns() is var settled and > 0)
        {
            WriteVerbose($"{settled} image run(s) killed before they finished are now recorded as interrupted.");
        }
        return workspace;
    }

    /// <summary>
    /// Runs Core's async work on a worker and waits for it on this thread; the lines it logs meanwhile (from any
    /// thread) are written as verbose output here afterwards, as PowerShell allows only this thread to write.
    /// </summary>
    protected T Await<T>(Func<Action<string>, CancellationToken, Task<T>> start)
    {
        _ = Workspace; // opened here, on the pipeline thread: opening it may write warnings and verbose lines
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        try
        {
            return Task.Run(() => start(lines.Enqueue, Cancellation)).GetAwaiter().GetResult();
        }
        finally
        {
            while (lines.TryDequeue(out var line))
            {
                WriteVerbose(line);
            }
        }
    }

    /// <summary>
    /// The episodes a command was given, each checked to exist (an EpisodeNotFound error for one that does not), or a
    /// single null for "every episode" when none was given.
    /// </summary>
    protected IEnumerable<string?> EpisodesOrAll(string[]? ids)
    {
        foreach (var id in ids ?? [null!])
        {
            if (id is not null && Workspace.Episodes.Find(id) is null)
            {
                WriteBtceduError(Core.Storage.EpisodeStore.NotFound(id, Workspace.Episodes.FindOtherCase(id)));
                continue;
            }
            yield return id;
        }
    }

    /// <summary>Runs a check whose failure means the whole command cannot go on: a terminating error.</summary>
    protected void StopOnError(Action check)
    {
        try
        {
            check();
        }
        catch (BtceduException e)
        {
            ThrowBtceduError(e);
        }
    }

    /// <summary>Runs <paramref name="action"/>; an expected failure becomes a non-terminating error for this item.</summary>
    protected bool TryRun(Action action, object? target = null)
    {
        try
        {
            action();
            return true;
        }
        catch (BtceduException e)
        {
            WriteError(ToErrorRecord(e));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Core reports the reads it knows as ReadError; a file failure it did not classify may be a read or a
            // write, so it is not labelled as either.
            var category = e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.NotSpecified;
            WriteError(new ErrorRecord(e, "FileAccessFailed", category, target) { ErrorDetails = new ErrorDetails(e.Message) });
        }
        return false;
    }

    /// <summary>
    /// The one id rule of every cmdlet: ids are exact and case-sensitive (ep1 and EP1 would share a folder on
    /// Windows and macOS, so the store never holds both); only a parameter marked [SupportsWildcards] takes
    /// patterns, and those match case-sensitively too, the same in every culture.
    /// </summary>
    protected static WildcardPattern Wildcard(string pattern) => new(pattern, WildcardOptions.CultureInvariant);

    /// <summary>
    /// The items whose key matches <paramref name="pattern"/> under the one id rule; a pattern without wildcards that
    /// matches nothing writes <paramref name="notFound"/>'s error (a pattern that matches nothing is just empty).
    /// </summary>
    protected List<T> Matching<T>(IEnumerable<T> items, Func<T, string> key, string pattern, Func<string, BtceduException> notFound)
    {
        var match = Wildcard(pattern);
        var found = items.Where(i => match.IsMatch(key(i))).ToList();
        if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
        {
            WriteBtceduError(notFound(pattern));
        }
        return found;
    }

    /// <summary>
    /// A verbose line. Under -Debug alone, though, the engine makes a compiled cmdlet ask before every verbose and
    /// warning line (advanced functions never did, and since PowerShell 7.4 -Debug itself means Continue): a prompt
    /// per line, and an error in -NonInteractive sessions. So there the line becomes a debug record instead.
    /// </summary>
    protected new void WriteVerbose(string text)
    {
        if (AsksUnderDebug("Verbose"))
        {
            WriteDebug(text);
        }
        else
        {
            base.WriteVerbose(text);
        }
    }

    /// <summary>A warning; under -Debug alone a debug record, as for <see cref="WriteVerbose"/> (-WarningAction keeps it a warning).</summary>
    protected new void WriteWarning(string text)
    {
        if (AsksUnderDebug("WarningAction"))
        {
            WriteDebug("WARNING: " + text);
        }
        else
        {
            base.WriteWarning(text);
        }
    }

    // The engine asks only when -Debug is on and the stream's own common parameter was not given.
    private bool AsksUnderDebug(string ownParameter) =>
        MyInvocation.BoundParameters.TryGetValue("Debug", out var debug) && debug is SwitchParameter { IsPresent: true }
        && !MyInvocation.BoundParameters.ContainsKey(ownParameter);

    protected void WriteBtceduError(BtceduException e) => WriteError(ToErrorRecord(e));

    protected void ThrowBtceduError(BtceduException e) => ThrowTerminatingError(ToErrorRecord(e));

    internal static ErrorRecord ToErrorRecord(BtceduException e) =>
        new(e, e.ErrorId, Category(e.Kind), e.Target) { ErrorDetails = new ErrorDetails(e.Message) };

    private static ErrorCategory Category(BtceduErrorKind kind) => kind switch
    {
        BtceduErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        BtceduErrorKind.InvalidData => ErrorCategory.InvalidData,
        BtceduErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        BtceduErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        BtceduErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        BtceduErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        BtceduErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        BtceduErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        BtceduErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        BtceduErrorKind.WriteError => ErrorCategory.WriteError,
        BtceduErrorKind.ReadError => ErrorCategory.ReadError,
        BtceduErrorKind.InvalidResult => ErrorCategory.InvalidResult,
        BtceduErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        _ => ErrorCategory.NotSpecified,
    };
}
