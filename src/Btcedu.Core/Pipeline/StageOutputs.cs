using Btcedu.Core.Workspace;
using Btcedu.Core.Episodes;

namespace Btcedu.Core.Pipeline;

/// <summary>The files a stage has produced for an episode, which a stale marker can sit beside.</summary>
public static class StageOutputs
{
    public static IEnumerable<string> Existing(WorkspacePaths paths, string episodeId, Stage stage) => stage switch
    {
        Stage.chapterize => ExistingFiles(paths.ChaptersFile(episodeId)),
        Stage.imagegen => FilesIn(paths.ImagesDir(episodeId), "*.png").Concat(ExistingFiles(paths.ManifestFile(episodeId))),
        // Later stages are not this module's; their outputs are whatever they left in their folders.
        Stage.tts or Stage.render or Stage.publish => FilesIn(Path.Combine(paths.EpisodeDir(episodeId), stage.ToString()), "*"),
        _ => [],
    };

    private static IEnumerable<string> ExistingFiles(params string[] files) => files.Where(File.Exists);

    private static IEnumerable<string> FilesIn(string dir, string pattern) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, pattern)
                .Where(f => !f.EndsWith(StaleMarker.Suffix, StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal)
            : [];
}
