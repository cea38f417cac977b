using Btcedu.Core.Workspace;
using Btcedu.Core.Episodes;

namespace Btcedu.Core.Pipeline;

/// <summary>
/// The files a stage has produced for an episode, which a stale marker can sit beside. chapterize's is
/// chapters.json and imagegen's are the images and their manifest (history is not an output); every stage this
/// module does not implement keeps its outputs in a folder named after it (correct/, translate/, adapt/, tts/,
/// render/, publish/). v1 stages have no outputs this module knows of.
/// </summary>
public static class StageOutputs
{
    public static IEnumerable<string> Existing(WorkspacePaths paths, string episodeId, Stage stage) =>
        Locations(paths, episodeId, stage).SelectMany(l => FilesIn(l.Dir, l.Pattern))
            .Where(f => !f.EndsWith(StaleMarker.Suffix, StringComparison.Ordinal));

    /// <summary>
    /// The markers of a stage's outputs, also those whose output has gone since. Render's include the per-chapter
    /// segment markers (<see cref="RenderSegment"/>), which only the image stage writes, one chapter at a time.
    /// </summary>
    public static IEnumerable<string> Markers(WorkspacePaths paths, string episodeId, Stage stage) =>
        Locations(paths, episodeId, stage)
            .Concat(stage == Stage.render ? [(RenderSegmentsDir(paths, episodeId), "*.mp4")] : [])
            .SelectMany(l => FilesIn(l.Dir, l.Pattern + StaleMarker.Suffix));

    /// <summary>
    /// The render stage's cut of one chapter. Segments sit below render/, so a marker beside one speaks for that chapter
    /// only; the episode-level outputs (render/draft.mp4) are render's own files.
    /// </summary>
    public static string RenderSegment(WorkspacePaths paths, string episodeId, string chapterId) =>
        Path.Combine(RenderSegmentsDir(paths, episodeId), Identifier.Require(chapterId, "Chapter id") + ".mp4");

    private static string RenderSegmentsDir(WorkspacePaths paths, string episodeId) =>
        Path.Combine(paths.EpisodeDir(episodeId), Stage.render.ToString(), "segments");

    private static IEnumerable<(string Dir, string Pattern)> Locations(WorkspacePaths paths, string episodeId, Stage stage) => stage switch
    {
        Stage.chapterize => [(paths.EpisodeDir(episodeId), "chapters.json")],
        Stage.imagegen => [(paths.ImagesDir(episodeId), "*.png"), (paths.ImagesDir(episodeId), "manifest.json")],
        Stage.correct or Stage.translate or Stage.adapt or Stage.tts or Stage.render or Stage.publish =>
            [(Path.Combine(paths.EpisodeDir(episodeId), stage.ToString()), "*")],
        _ => [],
    };

    private static IEnumerable<string> FilesIn(string dir, string pattern) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, pattern)
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal)
            : [];
}
