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

    /// <summary>
    /// After the images of <paramref name="chapterIds"/> changed (generated, adopted, restored, a new brand card): marks
    /// each one's render segment (<c>render/segments/{chapter_id}.mp4</c>) when it exists, and the episode-level outputs
    /// of render and the stages after it (<c>render/draft.mp4</c>, publish/). Segments of other chapters are left alone:
    /// the render stage re-cuts only what changed.
    /// </summary>
    public IReadOnlyList<string> InvalidateChapterImages(string episodeId, IReadOnlyCollection<string> chapterIds, string reason)
    {
        var now = _time.GetUtcNow();
        var written = new List<string>();
        foreach (var chapterId in chapterIds.Order(StringComparer.Ordinal))
        {
            var segment = StageOutputs.RenderSegment(_paths, episodeId, chapterId);
            if (File.Exists(segment))
            {
                StaleMarker.Write(segment, Stage.imagegen, $"image of {chapterId} changed", now);
                written.Add(StaleMarker.PathFor(segment));
            }
        }
        written.AddRange(InvalidateDownstream(episodeId, Stage.imagegen, reason));
        return written;
    }

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
