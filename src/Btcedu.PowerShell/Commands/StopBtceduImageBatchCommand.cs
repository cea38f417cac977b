using System.Management.Automation;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Workspace;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>
/// Cancels an episode's open batches. OpenAI takes up to 10 minutes and keeps (and bills) what finished:
/// Receive-BtceduImageBatch collects those results and releases the rest of the reservations.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "BtceduImageBatch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ImageBatch))]
public sealed class StopBtceduImageBatchCommand : BtceduCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Episode")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string EpisodeId { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!TryRun(() => Identifier.Require(EpisodeId, "episode id"), EpisodeId))
        {
            return;
        }
        TryRun(() =>
        {
            using var batches = Workspace.ImageBatches(ModulePaths.Prompts);
            Workspace.Episodes.Get(EpisodeId);
            var open = batches.List(EpisodeId).Where(b => !b.Collected).ToList();
            if (open.Count == 0)
            {
                WriteVerbose($"Episode '{EpisodeId}' has no open batch.");
                return;
            }
            if (!ShouldProcess($"batch(es) {string.Join(", ", open.Select(b => b.Id ?? b.Key))} of episode '{EpisodeId}'", "Cancel"))
            {
                return;
            }
            foreach (var batch in Await((log, token) => batches.CancelAsync(EpisodeId, null, token)))
            {
                WriteObject(batch);
            }
        }, EpisodeId);
    }
}
