using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Chapters;

/// <summary>Reads an episode's stored chapter document.</summary>
public sealed class ChapterCatalog
{
    private readonly WorkspacePaths _paths;
    private readonly EpisodeStore _episodes;

    public ChapterCatalog(WorkspacePaths paths, EpisodeStore episodes)
    {
        _paths = paths;
        _episodes = episodes;
    }

    public ChapterDocumentFile Load(string episodeId) => Load(_episodes.Get(episodeId));

    public ChapterDocumentFile Load(Episode episode)
    {
        var file = _paths.ChaptersFile(episode.Id);
        if (!File.Exists(file))
        {
            throw new BtceduException("ChaptersNotImported", BtceduErrorKind.ObjectNotFound,
                $"Episode '{episode.Id}' has no chapter document yet. Import one with Import-BtceduChapter -EpisodeId {episode.Id} -Path <chapters.json>.", episode.Id);
        }
        return ChapterDocumentReader.ReadFile(file);
    }

    /// <summary>The one ChapterNotFound error: the episode has none of <paramref name="chapterIds"/> (named by <paramref name="source"/>, if given).</summary>
    public static BtceduException NotFound(string episodeId, IReadOnlyList<string> chapterIds, string? source = null) =>
        new("ChapterNotFound", BtceduErrorKind.ObjectNotFound,
            $"Episode '{episodeId}' has no chapter {string.Join(", ", chapterIds.Select(u => $"'{u}'"))}{(source is null ? "" : $" ({source})")}. List its chapters with Get-BtceduChapter {episodeId}.", chapterIds[0]);
}
