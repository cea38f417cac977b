using System.Globalization;
using System.Management.Automation;
using Btcedu.Core;
using Btcedu.Core.ImageGen;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>
/// Collects an episode's finished batches into images, manifest and records, like a synchronous run: one result
/// per batched chapter. -Wait polls open batches (about 1 s at first, growing to 60 s) until each is collected.
/// Receiving again changes nothing.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "BtceduImageBatch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ImageGenChapterResult))]
public sealed class ReceiveBtceduImageBatchCommand : BtceduCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Episode")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[]? EpisodeId { get; set; }

    /// <summary>Wait until every open batch of the episode is finished and collected.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in EpisodesOrAll(EpisodeId))
        {
            TryRun(() => Receive(id), id);
        }
    }

    private void Receive(string? episodeId)
    {
        using var batches = Workspace.ImageBatches(ModulePaths.Prompts);
        var progress = new ProgressRecord(2, $"Waiting for image batches{(episodeId is null ? "" : $" of {episodeId}")}", "Reading…");
        TimeSpan? delay = null;
        try
        {
            while (!Stopping)
            {
                var wasOpen = batches.List(episodeId).Where(b => !b.Collected).Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
                var all = Await((log, token) => batches.RefreshAsync(episodeId, token));
                foreach (var failed in all.Where(b => wasOpen.Contains(b.Key) && b.Collected && b.Status == "failed"))
                {
                    WriteBtceduError(new BtceduException("ImageBatchFailed", BtceduErrorKind.InvalidResult,
                        $"Batch {failed.Id ?? failed.Key} of episode '{failed.EpisodeId}' failed: {failed.Error} Its reservations are released; its chapters are submitted again by the next Invoke-BtceduImageGen -Batch.", failed.Id ?? failed.Key));
                }
                var open = all.Where(b => !b.Collected).ToList();
                foreach (var batch in open.Where(b => b.Finished))
                {
                    if (!ShouldProcess($"batch {batch.Id} of episode '{batch.EpisodeId}' ({batch.Status}, {batch.Requests} request(s))", "Collect"))
                    {
                        continue;
                    }
                    var summary = Pump($"Collecting batch {batch.Id}", (events, token) => batches.CollectAsync(batch, events, token));
                    if (summary is null)
                    {
                        continue;
                    }
                    WriteInformation(new HostInformationMessage { Message = $"batch {batch.Id}: {summary}" }, ["PSHOST", "Btcedu.Summary"]);
                    foreach (var error in summary.Errors())
                    {
                        WriteBtceduError(error);
                    }
                }
                var waiting = open.Where(b => !b.Finished).ToList();
                if (waiting.Count == 0 || !Wait)
                {
                    foreach (var b in waiting)
                    {
                        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"Batch {b.Id ?? b.Key} of episode '{b.EpisodeId}' is {b.Status} ({b.Completed}/{b.Requests} done): receive it again later, or with -Wait."));
                    }
                    return;
                }
                delay = ImageBatches.NextPoll(delay);
                int total = waiting.Sum(b => b.Requests), done = waiting.Sum(b => b.Completed + b.Failed);
                progress.PercentComplete = total == 0 ? 0 : Math.Min(100, done * 100 / total);
                progress.StatusDescription = string.Create(CultureInfo.InvariantCulture,
                    $"{waiting.Count} batch(es) {string.Join(", ", waiting.Select(b => b.Status).Distinct())}: {done}/{total} requests done ({waiting.Sum(b => b.Failed)} failed); next look in {delay.Value.TotalSeconds:0.#} s");
                WriteProgress(progress);
                try
                {
                    Task.Delay(delay.Value, Cancellation).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
