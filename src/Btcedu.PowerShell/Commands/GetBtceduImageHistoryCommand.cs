using System.Management.Automation;
using Btcedu.PowerShell.Completion;
using Btcedu.Core.ImageGen;

namespace Btcedu.PowerShell.Commands;

/// <summary>Lists the earlier images of an episode's chapters, kept in images/history/, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "BtceduImageHistory")]
[OutputType(typeof(ImageVersion))]
public sealed class GetBtceduImageHistoryCommand : BtceduCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string EpisodeId { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ChapterIdCompleter))]
    public string[]? ChapterId { get; set; }

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            var stage = Workspace.ImageGenStage(ModulePaths.Prompts);
            foreach (var chapter in ChapterId ?? [null!])
            {
                WriteObject(stage.History(EpisodeId, chapter), enumerateCollection: true);
            }
        }, EpisodeId);
    }
}
