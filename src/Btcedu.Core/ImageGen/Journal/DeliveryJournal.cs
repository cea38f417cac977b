using System.Text.Json;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// Keeps an image the API delivered from being lost, or paid for twice, when the run is killed before it records
/// the image (issue 11, item 3). For each paid image call the run:
/// <list type="number">
/// <item>journals its intent (chapter, chapter hash, reserved price) in the transaction that adds the reservation
/// to its pipeline_runs totals, so a kill while the call is in flight still counts it against the cap;</item>
/// <item>stages the delivered PNG beside the chapter's image (<c>images/.{chapter}.png.delivered</c>), then journals
/// the delivery (the PNG's SHA-256, the manifest entry and media_assets row it is about to write, the actual price)
/// in the transaction that settles its totals;</item>
/// <item>moves the PNG into place, writes the row, and drops the journal entry only after a manifest write holds the
/// image (the run coalesces those writes, see <see cref="ManifestRecorder"/>).</item>
/// </list>
/// Between the call and step 2 the image the API delivered is saved as it came (<c>images/.{chapter}.answer</c>) and
/// journaled with its SHA-256 and what came with it, because the run's local stage may not reach it before a kill.
/// A later run, under the episode lock, adopts a chapter whose PNG on disk (or still staged) has the SHA-256 of a
/// journaled delivery made for the plan's chapter hash, or whose saved answer does (it then decodes and places it): it rebuilds the entry and the row from the journal, with no
/// call, and the chapter is reported Generated with an "adopted" reason (its image is new to the manifest, so
/// render is marked stale as for any new image) at no cost to that run; the price stays on the killed run's row.
/// Whatever else a dead run left (intents, deliveries whose file is gone or whose chapter changed since) is
/// dropped: its spending is already on that run's row.
/// </summary>
internal sealed class DeliveryJournal
{
    private const string StagedSuffix = ".png.delivered";
    private const string AnswerSuffix = ".answer";
    private readonly WorkspacePaths _paths;
    private readonly ImageDeliveryStore _store;
    private readonly ImageHistory _history;
    private readonly TimeProvider _time;

    /// <summary>The workspace's journal; every placement keeps the replaced image in its history (image_history_keep).</summary>
    public static DeliveryJournal For(ImageGenServices services) =>
        new(services.Paths, new ImageDeliveryStore(services.Database), ImageGenStage.History(services), services.Time);

    private DeliveryJournal(WorkspacePaths paths, ImageDeliveryStore store, ImageHistory history, TimeProvider time)
    {
        _paths = paths;
        _store = store;
        _history = history;
        _time = time;
    }

    /// <summary>Where a delivered PNG waits, journaled, before it replaces the chapter's image. Hidden, like AtomicFile's temps.</summary>
    public string StagedFile(string episodeId, string chapterId) => HiddenFile(episodeId, chapterId, StagedSuffix);

    /// <summary>Where the API's image waits, as delivered, for the run's local stage to decode it.</summary>
    public string AnswerFile(string episodeId, string chapterId) => HiddenFile(episodeId, chapterId, AnswerSuffix);

    public long Intend(string episodeId, PlannedChapter item, decimal reservedUsd, RunTotals totals) =>
        _store.Intend(episodeId, item.Chapter.ChapterId, item.ChapterHash, reservedUsd, totals);

    /// <summary>
    /// Saves the API's image as delivered, where it waits for <see cref="Answer"/>. No fsync: a killed process's
    /// writes survive in the page cache, and a file a power cut damaged fails its SHA-256 check, so it is paid again
    /// rather than adopted broken.
    /// </summary>
    public async Task SaveAnswerAsync(string episodeId, string chapterId, byte[] image)
    {
        var file = AnswerFile(episodeId, chapterId);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, image).ConfigureAwait(false);
    }

    /// <summary>Journals the saved answer: from here on, a kill leaves an image the next run places unpaid.</summary>
    /// <param name="settles">The batch request this answer settles, in the same transaction (batch mode's collect).</param>
    public void Answer(long id, byte[] image, JournaledAnswer answer, RunTotals totals, (long Batch, string CustomId)? settles = null) =>
        _store.Answer(id, ContentHash.Of(image), answer.CostUsd, JsonSerializer.Serialize(answer, BtceduJson.Compact), totals,
            settles is { } s ? (c, tx) => ImageBatchStore.Settle(c, tx, s.Batch, s.CustomId, answer.ImageCostUsd) : null);

    /// <summary>A saved answer's image and what came with it; null when its file is gone or not what was saved.</summary>
    public (byte[] Image, JournaledAnswer Answer)? ReadAnswer(ImageDelivery d)
    {
        var file = AnswerFile(d.EpisodeId, d.ChapterId);
        if (!d.Answered || !File.Exists(file))
        {
            return null;
        }
        var image = File.ReadAllBytes(file);
        return ContentHash.Of(image) == d.AnswerSha256 ? (image, JsonSerializer.Deserialize<JournaledAnswer>(d.Answer!, BtceduJson.Compact)!) : null;
    }

    /// <summary>The saved answer is no longer needed once its PNG is journaled.</summary>
    public void DropAnswer(string episodeId, string chapterId) => File.Delete(AnswerFile(episodeId, chapterId));

    /// <summary>Writes the delivered PNG, whole, where it waits for <see cref="Deliver"/>; the chapter's image is not touched.</summary>
    public Task StageAsync(string episodeId, string chapterId, byte[] png) =>
        AtomicFile.WriteAllBytesAsync(StagedFile(episodeId, chapterId), png, CancellationToken.None);

    /// <summary>Journals the staged delivery: from here on, a kill leaves an image the next run adopts.</summary>
    public void Deliver(long id, byte[] png, ManifestEntry entry, NewMediaAsset asset, RunTotals totals) =>
        Deliver(id, ContentHash.Of(png), entry, asset, totals);

    /// <summary>The same, with the PNG's hash already taken (the run hashes each image once).</summary>
    public void Deliver(long id, string pngSha256, ManifestEntry entry, NewMediaAsset asset, RunTotals totals) =>
        _store.Deliver(id, pngSha256, entry.CostUsd, JsonSerializer.Serialize(entry, BtceduJson.Compact),
            JsonSerializer.Serialize(asset, BtceduJson.Compact), totals);

    /// <summary>
    /// Keeps the chapter's current image in history with <paramref name="previous"/>, its manifest entry (a copy, so
    /// the image in place is never missing), then moves the staged PNG over it: one rename, so the image is the old
    /// one or the new one. A kill between the two leaves the copy, which the next placement does not make again.
    /// </summary>
    public ImageArchive Place(string episodeId, string chapterId, ManifestEntry? previous = null)
    {
        var archive = _history.Archive(episodeId, chapterId, previous, _time.GetUtcNow());
        File.Move(StagedFile(episodeId, chapterId), _paths.ImageFile(episodeId, chapterId), overwrite: true);
        return archive;
    }

    /// <summary>Drops an entry whose outcome needs no adopting (the run stopped before its call answered).</summary>
    public void Remove(long id) => _store.Remove(id);

    /// <summary>Drops the entries a manifest write now holds.</summary>
    public void Remove(IReadOnlyCollection<long> ids) => _store.Remove(ids);

    /// <summary>
    /// The one decision about adoption: the journaled image each named chapter could adopt, made for that chapter hash,
    /// and where it is (its PNG in place or staged, or the API's saved answer), each file hashed once, here.
    /// Read-only; the latest delivery of a chapter wins.
    /// </summary>
    public IReadOnlyDictionary<string, JournaledImage> Adoptable(string episodeId, IReadOnlyDictionary<string, string> hashByChapter)
    {
        var found = new Dictionary<string, JournaledImage>(StringComparer.Ordinal);
        foreach (var d in _store.List(episodeId).Where(d => d.Delivered || d.Answered).Reverse())
        {
            if (!found.ContainsKey(d.ChapterId) && hashByChapter.TryGetValue(d.ChapterId, out var hash) && hash == d.ChapterHash
                && Locate(d) is { } where)
            {
                found[d.ChapterId] = new JournaledImage(d, where);
            }
        }
        return found;
    }

    /// <summary>
    /// Puts an adoptable delivery's PNG in place (where <see cref="Adoptable"/> found it, under the same lock, so it is
    /// not hashed again) and returns the manifest entry and media_assets row to record.
    /// </summary>
    public (ManifestEntry Entry, NewMediaAsset Asset, ImageArchive Archive) Adopt(JournaledImage journaled, ManifestEntry? previous = null)
    {
        var d = journaled.Delivery;
        var archive = journaled.Location switch
        {
            JournalLocation.Staged => Place(d.EpisodeId, d.ChapterId, previous),
            JournalLocation.InPlace => new ImageArchive(null, []),
            _ => throw new InvalidOperationException("A saved answer is decoded and placed by the local stage, not adopted as a PNG."),
        };
        var entry = JsonSerializer.Deserialize<ManifestEntry>(d.Entry!, BtceduJson.Compact)!;
        var asset = JsonSerializer.Deserialize<NewMediaAsset>(d.Asset!, BtceduJson.Compact)!;
        return (entry, asset, archive);
    }

    /// <summary>
    /// Before a run, under the lock: drops every entry of the episode except <paramref name="keep"/> (every run that
    /// wrote them is dead) and deletes staged PNGs, saved answers and temp files nobody will adopt or finish.
    /// </summary>
    public void DiscardExcept(string episodeId, IReadOnlyCollection<ImageDelivery> keep)
    {
        _store.RemoveExcept(episodeId, [.. keep.Select(d => d.Id)]);
        var images = _paths.ImagesDir(episodeId);
        if (!Directory.Exists(images))
        {
            return;
        }
        var kept = keep.SelectMany(d => new[] { StagedFile(episodeId, d.ChapterId), AnswerFile(episodeId, d.ChapterId) }).ToHashSet(StringComparer.Ordinal);
        // Also the temp files of writes a killed run never finished (AtomicFile's ".name.guid.tmp"): under the lock nobody else writes here.
        foreach (var leftover in new[] { StagedSuffix, AnswerSuffix, ".tmp" }.SelectMany(suffix => Directory.EnumerateFiles(images, "." + "*" + suffix)))
        {
            if (!kept.Contains(leftover))
            {
                File.Delete(leftover);
            }
        }
    }

    private string HiddenFile(string episodeId, string chapterId, string suffix) =>
        Path.Combine(_paths.ImagesDir(episodeId), "." + Identifier.Require(chapterId, "Chapter id") + suffix);

    private JournalLocation? Locate(ImageDelivery d)
    {
        if (d.Delivered && ContentHash.OfFile(_paths.ImageFile(d.EpisodeId, d.ChapterId)) == d.PngSha256)
        {
            return JournalLocation.InPlace;
        }
        if (d.Delivered && ContentHash.OfFile(StagedFile(d.EpisodeId, d.ChapterId)) == d.PngSha256)
        {
            return JournalLocation.Staged;
        }
        return d.Answered && ContentHash.OfFile(AnswerFile(d.EpisodeId, d.ChapterId)) == d.AnswerSha256 ? JournalLocation.Answer : null;
    }
}

/// <summary>Where a killed run's image waits for adoption: its PNG in place or staged beside it, or the API's answer as saved.</summary>
public enum JournalLocation
{
    InPlace,
    Staged,
    Answer,
}

/// <summary>A journaled delivery a chapter can adopt, and where its image is.</summary>
public sealed record JournaledImage(ImageDelivery Delivery, JournalLocation Location);
