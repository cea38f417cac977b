namespace Btcedu.Core.Gallery;

/// <summary>
/// What an export wrote: the index, one page per exported episode (in the order asked), and the episodes it could
/// not export with their errors (the others are exported all the same).
/// </summary>
public sealed record GalleryExport(
    string Directory,
    string IndexPage,
    IReadOnlyList<GalleryEpisodePage> Pages,
    IReadOnlyList<BtceduException> Failures,
    int FilesWritten,
    int ThumbnailsMade,
    int FilesPruned);

/// <summary>One exported episode page.</summary>
public sealed record GalleryEpisodePage(string EpisodeId, string Path, int Chapters);

/// <summary>Where an export is: <paramref name="Done"/> of <paramref name="Total"/> images of the episode being exported.</summary>
public sealed record GalleryProgress(string EpisodeId, int Done, int Total);
