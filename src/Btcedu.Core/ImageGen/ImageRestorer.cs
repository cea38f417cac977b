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

    /// <summary>Checks the restore (episode, chapter, version, lock) without writing; returns the version and the planned chapter.</summary>
    public (ImageVersion Version, PlannedChapter Item, ImageGenPlan Plan) Check(string episodeId, string chapterId, int version, bool underLock = false)
    {
        var plan = _planner.Plan(episodeId, new ImageGenSelection());
        var item = plan.Items.FirstOrDefault(i => i.Chapter.ChapterId == chapterId)
            ?? throw ChapterCatalog.NotFound(episodeId, [chapterId], "-ChapterId");
        var kept = _history.List(episodeId, chapterId).FirstOrDefault(v => v.Version == version)
            ?? throw new BtceduException("ImageVersionNotFound", BtceduErrorKind.ObjectNotFound,
                $"Chapter '{chapterId}' of episode '{episodeId}' has no history version {version}. List its versions with Get-BtceduImageHistory {episodeId} -ChapterId {chapterId}.", version);
        if (!underLock && EpisodeLock.IsHeld(_services.Paths.LockFile(episodeId)))
        {
            throw new BtceduException("EpisodeLocked", BtceduErrorKind.ResourceBusy,
                $"Episode '{episodeId}' is being generated; restore its image when the run has finished.", episodeId);
        }
        return (kept, item, plan);
    }

    public ImageRestore Restore(string episodeId, string chapterId, int version)
    {
        var paths = _services.Paths;
        using var held = EpisodeLock.Acquire(paths.LockFile(Identifier.Require(episodeId, "Episode id")), episodeId, _services.Time);
        var (kept, item, plan) = Check(episodeId, chapterId, version, underLock: true); // again, under the lock
        var png = File.ReadAllBytes(kept.Path);
        AtomicFile.WriteAllBytes(_journal.StagedFile(episodeId, chapterId), png);
        var archive = _journal.Place(episodeId, chapterId, item.Previous);

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
            ManifestWriter.Compose(paths, episodeId, plan.Items.Select(i => (i.Chapter, i.Chapter.ChapterId == chapterId ? entry : i.Previous ?? ManifestEntries.Initial(i)))),
            _services.Time.GetUtcNow());
        _history.Remove(kept);
        var markers = _services.Invalidation.InvalidateChapterImages(episodeId, [chapterId], $"image of {chapterId} restored from history version {version}");
        return new ImageRestore
        {
            EpisodeId = episodeId,
            ChapterId = chapterId,
            Version = version,
            Path = image,
            UpToDate = entry.ChapterHash == item.ChapterHash,
            ReplacedKeptAs = archive.Version,
            Pruned = archive.Pruned,
            StaleMarkers = markers,
        };
    }
}
