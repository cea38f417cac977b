using System.Management.Automation;
using Btcedu.Core.Chapters;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>Writes one typed <see cref="Chapter"/> per chapter of an episode, ready for Where and downstream cmdlets.</summary>
[Cmdlet(VerbsCommon.Get, "BtceduChapter")]
[OutputType(typeof(Chapter))]
public sealed class GetBtceduChapterCommand : BtceduCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string EpisodeId { get; set; } = "";

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ChapterIdCompleter))]
    public string[]? ChapterId { get; set; }

    [Parameter]
    public VisualType[]? VisualType { get; set; }

    protected override void ProcessRecord() => TryRun(() =>
    {
        var chapters = Workspace.Chapters.Load(EpisodeId).Document.Chapters;
        foreach (var pattern in ChapterId ?? ["*"])
        {
            var found = Matching(chapters, c => c.ChapterId, pattern, p => Core.Chapters.ChapterCatalog.NotFound(EpisodeId, [p]));
            foreach (var chapter in found.Where(c => VisualType is null || VisualType.Contains(c.VisualType)))
            {
                WriteObject(chapter);
            }
        }
    }, EpisodeId);
}
