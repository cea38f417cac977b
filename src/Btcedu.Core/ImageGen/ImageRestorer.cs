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
    public (ImageVersion Version, PlannedChapter Item) Check(string episodeId, string chapterId, int version, bool underLock = false)
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
        return (kept, item);
    }

    public ImageRestore Restore(string episodeId, string chapterId, int version)
    {
        var paths = _services.Paths;
        using var held = EpisodeLock.Acquire(paths.LockFile(Identifier.Require(episodeId, "Episode id")), episodeId, _services.Time);
        var (kept, item) = Check(episodeId, chapterId, version, underLock: true); // again, under the lock
        var png = File.ReadAllBytes(kept.Path);
        AtomicFile.WriteAllBytes(_journal.StagedFile(episodeId, chapterId), png);
        var archive = _journal.Place(episodeId, chapterId, item.Previous);

        var image = paths.ImageFile(episodeId, chapterId);
        var entry = kept.Entry with
        {
            ChapterId = chapterId,
            VisualType = item.Chapter.VisualType.ToString(),
            Status = ImageStatus.Generated,
            FilePath = paths.RelativeToEpisode(episodeId, image),
            Reason = $"restored from history version {version}",
            Error = null,
        };
        _assets.Replace(new NewMediaAsset(episodeId, chapterId, "image", entry.FilePath, "image/png", png.LongLength, Metadata(entry, version), null));
        WriteManifest(episodeId, entry);
        _history.Remove(kept);
        var markers = _services.Invalidation.InvalidateDownstream(episodeId, Stage.imagegen, $"image of {chapterId} restored from history version {version}");
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

    private void WriteManifest(string episodeId, ManifestEntry entry)
    {
        var file = _services.Paths.ManifestFile(episodeId);
        var manifest = ImageManifest.Load(file);
        var images = manifest?.Images.ToList() ?? [];
        var at = images.FindIndex(e => e.ChapterId == entry.ChapterId);
        if (at >= 0)
        {
            images[at] = entry;
        }
        else
        {
            images.Add(entry);
        }
        BtceduJson.Write(file, new ImageManifest(episodeId, manifest?.SchemaVersion ?? ImageManifest.CurrentSchemaVersion,
            Timestamps.Format(_services.Time.GetUtcNow()), images));
    }

    private static Dictionary<string, object?> Metadata(ManifestEntry entry, int version) => new()
    {
        ["prompt"] = entry.Prompt,
        ["revised_prompt"] = entry.RevisedPrompt,
        ["model"] = entry.Model,
        ["size"] = entry.Size,
        ["source_size"] = entry.SourceSize,
        ["quality"] = entry.Quality,
        ["cost_usd"] = entry.CostUsd,
        ["cost_estimated"] = entry.CostEstimated,
        ["output_tokens"] = entry.OutputTokens,
        ["chapter_hash"] = entry.ChapterHash,
        ["restored_from_version"] = version,
    };
}
