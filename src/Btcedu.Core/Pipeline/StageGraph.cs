using Btcedu.Core.Episodes;
namespace Btcedu.Core.Pipeline;

/// <summary>
/// Which stage consumes which: correct → translate → adapt → chapterize → {imagegen, tts} → render → publish.
/// Invalidating a stage marks everything downstream of it, transitively.
/// </summary>
public static class StageGraph
{
    private static readonly Dictionary<Stage, Stage[]> DependsOn = new()
    {
        [Stage.correct] = [],
        [Stage.translate] = [Stage.correct],
        [Stage.adapt] = [Stage.translate],
        [Stage.chapterize] = [Stage.adapt],
        [Stage.imagegen] = [Stage.chapterize],
        [Stage.tts] = [Stage.chapterize],
        [Stage.render] = [Stage.imagegen, Stage.tts],
        [Stage.publish] = [Stage.render],
    };

    /// <summary>Every stage that consumes <paramref name="stage"/>'s output, directly or not, in pipeline order.</summary>
    public static IReadOnlyList<Stage> Downstream(Stage stage)
    {
        var result = new SortedSet<Stage>();
        var queue = new Queue<Stage>([stage]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var (candidate, deps) in DependsOn)
            {
                if (deps.Contains(current) && result.Add(candidate))
                {
                    queue.Enqueue(candidate);
                }
            }
        }
        return [.. result];
    }
}
