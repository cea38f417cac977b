using System.Management.Automation;
using Btcedu.PowerShell.Completion;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;

namespace Btcedu.PowerShell.Commands;

/// <summary>The stages of each episode's pipeline in order, with their state (done, pending, stale, not implemented), outputs and gates.</summary>
[Cmdlet(VerbsCommon.Get, "BtceduPipelinePlan")]
[OutputType(typeof(PipelineStagePlan))]
public sealed class GetBtceduPipelinePlanCommand : BtceduCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[] EpisodeId { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var pattern in EpisodeId)
        {
            var episodes = WildcardPattern.ContainsWildcardCharacters(pattern)
                ? Workspace.Episodes.List().Where(e => Wildcard(pattern).IsMatch(e.Id)).ToList()
                : null;
            TryRun(() =>
            {
                foreach (var episode in episodes ?? [Workspace.Episodes.Get(pattern)])
                {
                    WriteObject(PipelinePlanner.Plan(Workspace.Paths, episode), enumerateCollection: true);
                }
            }, pattern);
        }
    }
}
