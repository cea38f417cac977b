using System.Collections;
using Btcedu.Core.Composition;

namespace Btcedu.PowerShell.Completion;

/// <summary>Completes -Stage with the v2 pipeline's stage names, in pipeline order.</summary>
public sealed class StageCompleter : BtceduCompleter
{
    protected override IEnumerable<(string Value, string ToolTip)> Candidates(WorkspaceLookup workspace, IDictionary fakeBoundParameters) =>
        WorkspaceLookup.StageNames.Select((s, i) => (s, $"v2 stage {i + 1} of {WorkspaceLookup.StageNames.Count}"));
}
