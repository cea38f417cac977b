using System.Management.Automation;
using Btcedu.Core.ImageGen;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>Lists the workspace's image batches, reading the open ones from OpenAI first (-NoRefresh: as last read).</summary>
[Cmdlet(VerbsCommon.Get, "BtceduImageBatch")]
[OutputType(typeof(ImageBatch))]
public sealed class GetBtceduImageBatchCommand : BtceduCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("EpisodeId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[]? Episode { get; set; }

    /// <summary>Only batches not yet collected.</summary>
    [Parameter]
    public SwitchParameter Open { get; set; }

    /// <summary>Show what the workspace last read, without asking OpenAI.</summary>
    [Parameter]
    public SwitchParameter NoRefresh { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in EpisodesOrAll(Episode))
        {
            TryRun(() =>
            {
                var batches = NoRefresh ? Workspace.ImageBatches(ModulePaths.Prompts).List(id)
                    : Await(async (log, token) =>
                    {
                        using var refresh = Workspace.ImageBatches(ModulePaths.Prompts, log);
                        return await refresh.RefreshAsync(id, token).ConfigureAwait(false);
                    });
                foreach (var batch in batches.Where(b => !Open || !b.Collected))
                {
                    WriteObject(batch);
                }
            }, id);
        }
    }
}
