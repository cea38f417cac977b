using System.Collections;
using System.Globalization;
using Btcedu.Core.Composition;

namespace Btcedu.PowerShell.Completion;

/// <summary>Completes image model names from the workspace's model catalogue, with family and status today as the tooltip.</summary>
public sealed class ImageModelCompleter : BtceduCompleter
{
    protected override IEnumerable<(string Value, string ToolTip)> Candidates(WorkspaceLookup workspace, IDictionary fakeBoundParameters)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return workspace.ImageModels().Select(m => (m.Name, m.Lifecycle.ShutdownOn is { } shutdown
            ? string.Create(CultureInfo.InvariantCulture, $"{m.Family}, {m.Lifecycle.StatusOn(today)} (shutdown {shutdown:yyyy-MM-dd})")
            : $"{m.Family}, {m.Lifecycle.StatusOn(today)}"));
    }
}
