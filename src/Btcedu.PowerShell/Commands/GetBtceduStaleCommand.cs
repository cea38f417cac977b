using System.Management.Automation;
using Btcedu.PowerShell.Completion;
using Btcedu.Core.Episodes;
using Btcedu.Core.Pipeline;

namespace Btcedu.PowerShell.Commands;

/// <summary>Lists the stale markers of episodes; an unreadable marker is listed (it counts as stale) with a warning.</summary>
[Cmdlet(VerbsCommon.Get, "BtceduStale")]
[OutputType(typeof(StaleMarkerInfo))]
public sealed class GetBtceduStaleCommand : BtceduCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[]? EpisodeId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(StageCompleter))]
    public Stage[]? Stage { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var pattern in EpisodeId ?? ["*"])
        {
            var ids = WildcardPattern.ContainsWildcardCharacters(pattern)
                ? [.. Workspace.Episodes.List().Where(e => Wildcard(pattern).IsMatch(e.Id)).Select(e => e.Id)]
                : new[] { pattern };
            foreach (var id in ids)
            {
                TryRun(() =>
                {
                    foreach (var marker in Workspace.Markers.List(id, Stage))
                    {
                        if (!marker.Readable)
                        {
                            WriteWarning($"The marker {marker.Path} cannot be read; it counts as stale. Clear it with Clear-BtceduStale, or write it again with Set-BtceduStale.");
                        }
                        WriteObject(marker);
                    }
                }, id);
            }
        }
    }
}
