using System.Globalization;
using System.Management.Automation;
using System.Threading.Channels;
using Btcedu.Core.ImageGen;

namespace Btcedu.PowerShell.Commands;

public abstract partial class BtceduCmdlet
{
    /// <summary>
    /// The one event pump of every long-running cmdlet: starts <paramref name="start"/> on a worker, then, on this
    /// thread only, turns its events into output (with an error beside each failed item), progress, verbose lines
    /// and warnings. When the pipeline stops reading (Ctrl+C, or -ErrorAction Stop on an item's error) the run is
    /// cancelled and still awaited, so it settles its files before the caller releases its lock. Returns the run's
    /// result, or default when Ctrl+C stopped it.
    /// </summary>
    protected T? Pump<T>(string activity, Func<ChannelWriter<ImageGenEvent>, CancellationToken, Task<T>> start)
    {
        var events = Channel.CreateUnbounded<ImageGenEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var run = Task.Run(() => start(events.Writer, stop.Token));
        var progress = new ProgressRecord(1, activity, "Starting…");
        var drained = false;
        try
        {
            foreach (var e in events.Reader.ReadAllAsync().ToBlockingEnumerable())
            {
                switch (e)
                {
                    case ChapterCompleted c:
                        WriteObject(c.Result);
                        if (c.Result.Failure() is { } failure)
                        {
                            WriteBtceduError(failure); // throws under -ErrorAction Stop
                        }
                        break;
                    case ProgressChanged p:
                        progress.PercentComplete = p.Total == 0 ? 100 : p.Done * 100 / p.Total;
                        progress.StatusDescription = string.Create(CultureInfo.InvariantCulture, $"{p.Done}/{p.Total} chapters, ${p.SpentUsd:0.000} spent (last: {p.ChapterId})");
                        WriteProgress(progress);
                        break;
                    case RunMessage { IsWarning: true } m:
                        WriteWarning(m.Text);
                        break;
                    case RunMessage m:
                        WriteVerbose(m.Text);
                        break;
                }
            }
            drained = true;
        }
        finally
        {
            if (!drained)
            {
                stop.Cancel(); // nobody reads the events any more: stop calling and settle
            }
            ((IAsyncResult)run).AsyncWaitHandle.WaitOne();
        }
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        try
        {
            return run.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Stopping)
        {
            return default;
        }
    }
}
