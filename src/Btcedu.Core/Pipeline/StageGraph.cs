using Btcedu.Core.Episodes;
namespace Btcedu.Core.Pipeline;

/// <summary>
/// The two pipelines. v2: correct → [gate 1] → translate → adapt → [gate 2] → chapterize → {imagegen, tts} →
/// render → [gate 3] → publish (imagegen follows chapterize with no gate). v1 (legacy): download → transcribe →
/// chunk → generate → refine; nothing of v1 reaches a v2 stage. Invalidating a stage marks everything downstream
/// of it, transitively.
/// </summary>
public static class StageGraph
{
    private static readonly StageDefinition[] V2 =
    [
        new(Stage.correct, 2, 1, EpisodeStatus.CORRECTED, [], GateAfter: 1, Implemented: false),
        new(Stage.translate, 2, 2, EpisodeStatus.TRANSLATED, [Stage.correct], null, false),
        new(Stage.adapt, 2, 3, EpisodeStatus.ADAPTED, [Stage.translate], GateAfter: 2, Implemented: false),
        new(Stage.chapterize, 2, 4, EpisodeStatus.CHAPTERIZED, [Stage.adapt], null, false),
        new(Stage.imagegen, 2, 5, EpisodeStatus.IMAGES_GENERATED, [Stage.chapterize], null, Implemented: true),
        new(Stage.tts, 2, 6, EpisodeStatus.TTS_DONE, [Stage.chapterize], null, false),
        new(Stage.render, 2, 7, EpisodeStatus.RENDERED, [Stage.imagegen, Stage.tts], GateAfter: 3, Implemented: false),
        new(Stage.publish, 2, 8, EpisodeStatus.PUBLISHED, [Stage.render], null, false),
    ];

    private static readonly StageDefinition[] V1 =
    [
        new(Stage.download, 1, 1, EpisodeStatus.DOWNLOADED, [], null, false),
        new(Stage.transcribe, 1, 2, EpisodeStatus.TRANSCRIBED, [Stage.download], null, false),
        new(Stage.chunk, 1, 3, EpisodeStatus.CHUNKED, [Stage.transcribe], null, false),
        new(Stage.generate, 1, 4, EpisodeStatus.GENERATED, [Stage.chunk], null, false),
        new(Stage.refine, 1, 5, EpisodeStatus.REFINED, [Stage.generate], null, false),
    ];

    /// <summary>The stages of a pipeline version, in order.</summary>
    public static IReadOnlyList<StageDefinition> For(int pipelineVersion) => pipelineVersion switch
    {
        1 => V1,
        2 => V2,
        _ => throw new BtceduException("InvalidPipelineVersion", BtceduErrorKind.InvalidArgument, $"Pipeline version must be 1 or 2, not {pipelineVersion}.", pipelineVersion),
    };

    public static StageDefinition Get(Stage stage) => V2.Concat(V1).Single(d => d.Stage == stage);

    /// <summary>Every stage that consumes <paramref name="stage"/>'s output, directly or not, in pipeline order.</summary>
    public static IReadOnlyList<Stage> Downstream(Stage stage)
    {
        var pipeline = For(Get(stage).PipelineVersion);
        var result = new HashSet<Stage>();
        var queue = new Queue<Stage>([stage]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var candidate in pipeline.Where(d => d.Upstreams.Contains(current)))
            {
                if (result.Add(candidate.Stage))
                {
                    queue.Enqueue(candidate.Stage);
                }
            }
        }
        return [.. pipeline.Where(d => result.Contains(d.Stage)).Select(d => d.Stage)];
    }

    /// <summary>
    /// How far an episode's status says it has come: the order of the last stage it completed; 0 when the status
    /// says nothing (NEW, FAILED). COST_LIMIT is an image run stopped at the cap (chapterize done, imagegen not);
    /// APPROVED is gate 3 passed; COMPLETED is the end.
    /// </summary>
    public static int Reached(int pipelineVersion, EpisodeStatus status)
    {
        var pipeline = For(pipelineVersion);
        return status switch
        {
            EpisodeStatus.COMPLETED => pipeline.Count,
            EpisodeStatus.COST_LIMIT when pipelineVersion == 2 => Get(Stage.chapterize).Order,
            EpisodeStatus.APPROVED when pipelineVersion == 2 => Get(Stage.render).Order,
            _ => pipeline.FirstOrDefault(d => d.CompletedStatus == status)?.Order ?? 0,
        };
    }
}
