using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// Brings an earlier image of a chapter back from history, under the episode lock: the image in place is kept in
/// history first (never lost), the earlier one is put in place by one rename, then the media_assets row and the
/// manifest entry are rewritten from the kept entry, the version leaves history and render is marked stale.
/// </summary>
internal sealed class ImageRestorer
{
    private readonly ImageGenServices _services;
    private readonly ImageGenPlanner _planner;
    private readonly MediaAssetStore _assets;
    private readonly DeliveryJournal _journal;
    private readonly ImageHistory _history;

    public ImageRestorer(ImageGenServices services, ImageGenPlanner planner, MediaAssetStore assets, DeliveryJournal journal, ImageHistory history)
    {
        _services = services;
        _planner = planner;
        _assets = assets;
        _journal = journal;
        _history = history;
    }

    /// <summary>
    /// Checks the restore (episode, chapter, version, lock) without writing; returns the version, the chapter document
    /// and the manifest. Only what restoring needs: a model the settings name that has been retired since, or an
    /// unpriced LLM, does not stand in the way of putting a paid image back.
    /// </summary>
    public (ImageVersion Version, ChapterDocumentFile Chapters, ImageManifest? Manifest) Check(string episodeId, string chapterId, int version, bool underLock = false)
    {
        var episode = _services.Episodes.Get(episodeId);
        var chapters = _services.Chapters.Load(episode);
        if (!chapters.Document.Chapters.Any(c => c.ChapterId == chapterId))
        {
            throw ChapterCatalog.NotFound(episodeId, [chapterId], "-ChapterId");
        }
        var kept = _history.List(episodeId, chapterId).FirstOrDefault(v => v.Version == version)
            ?? throw new BtceduException("ImageVersionNotFound", BtceduErrorKind.ObjectNotFound,
                $"Chapter '{chapterId}' of episode '{episodeId}' has no history version {version}. List its versions with Get-BtceduImageHistory {episodeId} -ChapterId {chapterId}.", version);
        if (!underLock && EpisodeLock.IsHeld(_services.Paths.LockFile(episodeId)))
        {
            throw new BtceduException("EpisodeLocked", BtceduErrorKind.ResourceBusy,
                $"Episode '{episodeId}' is being generated; restore its image when the run has finished.", episodeId);
        }
        return (kept, chapters, ImageManifest.Load(_services.Paths.ManifestFile(episodeId)));
    }

    public ImageRestore Restore(string episodeId, string chapterId, int version)
    {
        var paths = _services.Paths;
        using var held = EpisodeLock.Acquire(paths.LockFile(Identifier.Require(episodeId, "Episode id")), episodeId, _services.Time);
        var (kept, chapters, manifest) = Check(episodeId, chapterId, version, underLock: true); // again, under the lock
        var entries = manifest?.Images.GroupBy(e => e.ChapterId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal) ?? [];
        var chapter = chapters.Document.Chapters.Single(c => c.ChapterId == chapterId);
        var png = File.ReadAllBytes(kept.Path);
        AtomicFile.WriteAllBytes(_journal.StagedFile(episodeId, chapterId), png);
        var archive = _journal.Place(episodeId, chapterId, entries.GetValueOrDefault(chapterId));

        var image = paths.ImageFile(episodeId, chapterId);
        ThumbnailStore.TryKeep(paths, episodeId, chapterId, kept.PngSha256, null); // usually kept since it was current
        // The record the version kept, whole (tokens, sizes, attempts), with the version it came back from.
        var entry = kept.Entry with
        {
            ChapterId = chapterId,
            Status = ImageStatus.Generated,
            GenerationMethod = GenerationMethod.Api,
            FilePath = ManifestEntries.FilePathOf(chapterId),
            SizeBytes = png.LongLength,
            RestoredFromVersion = version,
            Reason = $"restored from history version {version}",
            Error = null,
        };
        _assets.Replace(ManifestEntries.Asset(episodeId, entry, png.LongLength, null));
        ManifestWriter.Write(paths, episodeId,
            ManifestWriter.Compose(paths, episodeId, chapters.Document.Chapters.Select(c => (c, c.ChapterId == chapterId ? entry
                : entries.GetValueOrDefault(c.ChapterId) ?? ManifestEntries.Blank(c, ImageStatus.Skipped) with { Reason = "no image yet" }))),
            _services.Time.GetUtcNow());
        _history.Remove(kept);
        var markers = _services.Invalidation.InvalidateChapterImages(episodeId, [chapterId], $"image of {chapterId} restored from history version {version}");
        return new ImageRestore
        {
            EpisodeId = episodeId,
            ChapterId = chapterId,
            Version = version,
            Path = image,
            UpToDate = entry.ChapterHash is { } hash && hash == _planner.CurrentHash(chapter),
            ReplacedKeptAs = archive.Version,
            Pruned = archive.Pruned,
            StaleMarkers = markers,
        };
    }
}
