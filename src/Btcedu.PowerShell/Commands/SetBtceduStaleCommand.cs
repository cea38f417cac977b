using System.Management.Automation;
using Btcedu.PowerShell.Completion;
using Btcedu.Core.Episodes;
using Btcedu.Core.Pipeline;

namespace Btcedu.PowerShell.Commands;

/// <summary>Marks every output downstream of a stage stale and sends the episode back to that stage's completed status; returns the markers written.</summary>
[Cmdlet(VerbsCommon.Set, "BtceduStale", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StaleMarkerInfo))]
public sealed class SetBtceduStaleCommand : BtceduCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[] EpisodeId { get; set; } = [];

    // Boxed: a field of a Core value type would make PowerShell load Core while it lists the module's types,
    // before ModuleLoader can answer from the module's own load context.
    private object _stage = Core.Episodes.Stage.correct;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(StageCompleter))]
    public Stage Stage { get => (Stage)_stage; set => _stage = value; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Reason { get; set; } = "marked stale with Set-BtceduStale";

    protected override void ProcessRecord()
    {
        foreach (var id in EpisodeId)
        {
            TryRun(() =>
            {
                var outputs = Workspace.Markers.Preview(id, Stage);
                if (!ShouldProcess($"{outputs.Count} output(s) downstream of {Stage} in episode '{id}'", "Mark stale"))
                {
                    return;
                }
                var result = Workspace.Markers.Mark(id, Stage, Reason);
                if (result.PreviousStatus is { } previous)
                {
                    WriteVerbose($"Episode '{id}' went back from {previous} to {result.Episode.Status}.");
                }
                WriteObject(result.Markers, enumerateCollection: true);
            }, id);
        }
    }
}
