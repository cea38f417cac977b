using System.Collections;
using System.Management.Automation;
using Btcedu.Core.Composition;

namespace Btcedu.PowerShell.Completion;

/// <summary>
/// Completes -ChapterId with the chapters of the episode already on the command line (-EpisodeId, by name,
/// alias or position; a wildcard there takes every matching episode): the id, with the title and visual type
/// as the tooltip. Without an episode there is nothing to offer.
/// </summary>
public sealed class ChapterIdCompleter : BtceduCompleter
{
    protected override IEnumerable<(string Value, string ToolTip)> Candidates(WorkspaceLookup workspace, IDictionary fakeBoundParameters)
    {
        var named = BoundStrings(fakeBoundParameters, "EpisodeId", "Id").ToList();
        var episodes = named.Any(WildcardPattern.ContainsWildcardCharacters)
            ? workspace.Episodes().Select(e => e.Id).Where(id => named.Any(n => new WildcardPattern(n, WildcardOptions.CultureInvariant).IsMatch(id)))
            : named;
        return episodes.Distinct(StringComparer.Ordinal)
            .SelectMany(workspace.Chapters)
            .Select(c => (c.ChapterId, $"{c.Title} [{c.VisualType}]"))
            .DistinctBy(c => c.ChapterId, StringComparer.Ordinal);
    }
}
