using Btcedu.Core.Workspace;
using Btcedu.Core.Episodes;

namespace Btcedu.Core.Pipeline;

/// <summary>Marks every existing output downstream of a changed stage as stale.</summary>
public sealed class Invalidation
{
    private readonly WorkspacePaths _paths;
    private readonly TimeProvider _time;

    public Invalidation(WorkspacePaths paths, TimeProvider time)
    {
        _paths = paths;
        _time = time;
    }

    /// <summary>Writes a marker beside each existing output of every stage downstream of <paramref name="changed"/>; returns the markers written.</summary>
    public IReadOnlyList<string> InvalidateDownstream(string episodeId, Stage changed, string reason) =>
        Invalidate(episodeId, changed, StageGraph.Downstream(changed), reason);

    /// <summary>Marks the outputs of <paramref name="stages"/> themselves (e.g. render after new images).</summary>
    public IReadOnlyList<string> Invalidate(string episodeId, Stage invalidatedBy, IEnumerable<Stage> stages, string reason)
    {
        var now = _time.GetUtcNow();
        var written = new List<string>();
        foreach (var stage in stages)
        {
            foreach (var output in StageOutputs.Existing(_paths, episodeId, stage).ToList())
            {
                StaleMarker.Write(output, invalidatedBy, reason, now);
                written.Add(StaleMarker.PathFor(output));
            }
        }
        return written;
    }
}
