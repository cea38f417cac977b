using System.Collections;
using Btcedu.Core.Composition;

namespace Btcedu.PowerShell.Completion;

/// <summary>Completes -EpisodeId with the store's episodes: the id, with the title and status as the tooltip.</summary>
public sealed class EpisodeIdCompleter : BtceduCompleter
{
    protected override IEnumerable<(string Value, string ToolTip)> Candidates(WorkspaceLookup workspace, IDictionary fakeBoundParameters) =>
        workspace.Episodes().Select(e => (e.Id, $"{e.Title} ({e.Status}, {e.ChapterCount} chapters)"));
}
