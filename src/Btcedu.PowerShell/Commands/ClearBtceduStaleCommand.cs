using System.Management.Automation;
using Btcedu.PowerShell.Completion;
using Btcedu.Core.Episodes;
using Btcedu.Core.Pipeline;

namespace Btcedu.PowerShell.Commands;

/// <summary>Removes the stale markers of an episode (all, or those of some stages); outputs are never touched.</summary>
[Cmdlet(VerbsCommon.Clear, "BtceduStale", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StaleMarkerInfo))]
public sealed class ClearBtceduStaleCommand : BtceduCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[] EpisodeId { get; set; } = [];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(StageCompleter))]
    public Stage[]? Stage { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in EpisodeId)
        {
            TryRun(() =>
            {
                var markers = Workspace.Markers.List(id, Stage);
                if (markers.Count > 0)
                {
                    Workspace.Markers.RequireUnlocked(id);
                }
                foreach (var marker in markers)
                {
                    if (ShouldProcess(marker.Path, "Remove stale marker") && Workspace.Markers.Clear(marker) && PassThru)
                    {
                        WriteObject(marker);
                    }
                }
            }, id);
        }
    }
}
