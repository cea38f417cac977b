using System.Management.Automation;
using Btcedu.Core.Storage;
using Btcedu.PowerShell.Completion;
namespace Btcedu.PowerShell.Commands;

/// <summary>
/// What episodes cost: runs, images, tokens and USD per episode, or per stage, model or day with -By, read from
/// pipeline_runs and media_assets; -Since/-Until bound the window. Episodes come by id (wildcards) or from the pipeline.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BtceduCostReport")]
[OutputType(typeof(CostReportRow))]
public sealed class GetBtceduCostReportCommand : BtceduCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[]? EpisodeId { get; set; }

    // A string, not the enum: an enum-typed field would make the runtime load Core while PowerShell lists the
    // module's types, before the module's load context is hooked.
    [Parameter]
    [ValidateSet(nameof(CostReportGrouping.Episode), nameof(CostReportGrouping.Stage), nameof(CostReportGrouping.Model), nameof(CostReportGrouping.Day))]
    public string By { get; set; } = nameof(CostReportGrouping.Episode);

    [Parameter]
    public DateTimeOffset Since { get; set; }

    [Parameter]
    public DateTimeOffset Until { get; set; }

    protected override void BeginProcessing()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Since)) && MyInvocation.BoundParameters.ContainsKey(nameof(Until)) && Until <= Since)
        {
            ThrowBtceduError(new Core.BtceduException("InvalidReportWindow", Core.BtceduErrorKind.InvalidArgument,
                $"-Until ({Until:O}) must be later than -Since ({Since:O}).", Until));
        }
    }

    protected override void ProcessRecord()
    {
        var episodes = Workspace.Episodes.List();
        var report = Workspace.Costs;
        DateTimeOffset? since = MyInvocation.BoundParameters.ContainsKey(nameof(Since)) ? Since : null;
        DateTimeOffset? until = MyInvocation.BoundParameters.ContainsKey(nameof(Until)) ? Until : null;
        foreach (var pattern in EpisodeId ?? ["*"])
        {
            var found = Matching(episodes, e => e.Id, pattern, p => EpisodeStore.NotFound(p, Workspace.Episodes.FindOtherCase(p)));
            foreach (var episode in found)
            {
                WriteObject(report.For(episode.Id, Enum.Parse<CostReportGrouping>(By, ignoreCase: true), since, until), enumerateCollection: true);
            }
        }
    }
}
