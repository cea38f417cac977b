using System.Management.Automation;
using Btcedu.Core.Episodes;

namespace Btcedu.PowerShell.Commands;

/// <summary>Registers an empty episode (status NEW); v2 episodes usually come from Import-BtceduChapter instead.</summary>
[Cmdlet(VerbsCommon.New, "BtceduEpisode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Episode))]
public sealed class NewBtceduEpisodeCommand : BtceduCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty] // the id's shape is checked by Core, so every cmdlet gives the same InvalidEpisodeId error
    public string EpisodeId { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("1", "2")]
    public int PipelineVersion { get; set; } = 2;

    protected override void ProcessRecord()
    {
        if (ShouldProcess($"episode '{EpisodeId}' (v{PipelineVersion})", "Create"))
        {
            TryRun(() => WriteObject(Workspace.Episodes.Create(EpisodeId, Title, PipelineVersion)), EpisodeId);
        }
    }
}
