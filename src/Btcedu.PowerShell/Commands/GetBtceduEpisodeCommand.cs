using System.Management.Automation;
using Btcedu.Core.Episodes;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>Lists episodes, optionally by id (wildcards, case-sensitive) and status.</summary>
[Cmdlet(VerbsCommon.Get, "BtceduEpisode")]
[OutputType(typeof(Episode))]
public sealed class GetBtceduEpisodeCommand : BtceduCmdlet
{
    private IReadOnlyList<Episode>? _all;

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[]? EpisodeId { get; set; }

    [Parameter]
    public EpisodeStatus[]? Status { get; set; }

    [Parameter]
    [ValidateSet("1", "2")]
    public int[]? PipelineVersion { get; set; }

    protected override void ProcessRecord()
    {
        _all ??= Workspace.Episodes.List();
        foreach (var pattern in EpisodeId ?? ["*"])
        {
            var found = Matching(_all, e => e.Id, pattern, p => Core.Storage.EpisodeStore.NotFound(p, _all.FirstOrDefault(e => string.Equals(e.Id, p, StringComparison.OrdinalIgnoreCase))?.Id));
            foreach (var episode in found.Where(e => (Status is null || Status.Contains(e.Status)) && (PipelineVersion is null || PipelineVersion.Contains(e.PipelineVersion))))
            {
                WriteObject(episode);
            }
        }
    }
}
