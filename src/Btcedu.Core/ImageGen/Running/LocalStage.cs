using Btcedu.Core.Imaging;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The run's local stage for one image, which holds no API slot: decode and normalise what the API delivered,
/// stage the PNG, journal the delivery, put it in place and record it (media_assets row, manifest entry). Also
/// adopts the image a killed run was delivered. The order of those steps is what makes a kill at any moment safe
/// (see <see cref="DeliveryJournal"/>).
/// </summary>
internal sealed class LocalStage
{
    private readonly RunState _run;
    private readonly ManifestRecorder _manifest;

    public LocalStage(RunState run, ManifestRecorder manifest)
    {
        _run = run;
        _manifest = manifest;
    }

    public async Task<ImageGenChapterResult> PlaceAsync(AnsweredImage answered)
    {
        var (item, result) = (answered.Item, answered.Result);
        using var subject = Workspace.LogContext.Begin($"{_run.EpisodeId}/{item.Chapter.ChapterId}");
        NormalizedImage image;
        try
        {
            image = ImageNormalizer.Normalize(result.Image!);
        }
        catch (BtceduException e)
        {
            // Paid for, but nothing usable came back (a truncated or non-image body): the chapter fails with its cost.
            var failed = ManifestEntries.FailedCall(item, answered.Request, result, $"{ApiOutcome.Failed}: {e.Message}");
            _run.Journal.DropAnswer(_run.EpisodeId, item.Chapter.ChapterId);
            return await _manifest.RecordAsync(item, failed, answered.RunCost, result.Attempts, answered.Intent).ConfigureAwait(false);
        }
        try
        {
            return await DeliverAsync(answered, image).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be written fails its chapter, not the run. It was paid for; its journal entry stays,
            // so the next run adopts the saved answer instead of paying again.
            return await _manifest.RecordAsync(item, ManifestEntries.NotWritten(item, e), answered.RunCost).ConfigureAwait(false);
        }
    }

    /// <summary>Journals the image before it becomes visible, so that a kill from here on leaves an image the next run adopts.</summary>
    private async Task<ImageGenChapterResult> DeliverAsync(AnsweredImage answered, NormalizedImage image)
    {
        var (item, result) = (answered.Item, answered.Result);
        var chapterId = item.Chapter.ChapterId;
        var (episodeId, profile) = (_run.EpisodeId, _run.Plan.Profile);
        var entry = ManifestEntries.Generated(item, answered.Request, result, image, profile, _run.Time.GetUtcNow(), answered.Cost) with { Reason = answered.Reason };
        var asset = ManifestEntries.Asset(episodeId, entry, image.Png.LongLength, item.Chapter.ImagePrompt is null ? _run.Plan.PromptVersion.Id : null);

        var sha = ContentHash.Of(image.Png); // once: the journal's and the thumbnail's
        await _run.Journal.StageAsync(episodeId, chapterId, image.Png).ConfigureAwait(false);
        _run.WithTotals(totals =>
        {
            _run.Journal.Deliver(answered.Intent, sha, entry, asset, totals);
            return true;
        });
        _run.Journal.DropAnswer(episodeId, chapterId);
        InternalHooks.KillPoint(KillPoints.AfterDelivery, chapterId);
        await LogArchiveAsync(chapterId, _run.Journal.Place(episodeId, chapterId, item.Previous)).ConfigureAwait(false);
        InternalHooks.KillPoint(KillPoints.AfterPng, chapterId);
        KeepThumbnail(chapterId, sha, image.Thumbnail);
        _run.Assets.Replace(asset);
        InternalHooks.KillPoint(KillPoints.AfterAssetRow, chapterId);
        var recorded = await _manifest.RecordAsync(item, entry, answered.RunCost, result.Attempts, answered.Intent).ConfigureAwait(false);
        InternalHooks.KillPoint(KillPoints.AfterRecord, chapterId);
        return recorded;
    }

    /// <summary>
    /// What a killed run left for this chapter, taken up with no call: its PNG (in place or staged) recorded, or its
    /// saved answer to be placed; null when there is nothing to adopt or the saved answer is damaged (then the chapter
    /// is generated as usual). Where the image is was decided once, by the plan (DeliveryJournal.Adoptable).
    /// </summary>
    public async Task<ApiStep?> TryAdoptAsync(PlannedChapter item)
    {
        if (!item.Adopts)
        {
            return null;
        }
        if (item.Journaled!.Location != JournalLocation.Answer)
        {
            return new(await AdoptAsync(item).ConfigureAwait(false));
        }
        return AdoptAnswer(item) is { } saved ? new(Answered: saved) : null;
    }

    /// <summary>
    /// Records the image a killed run was delivered, from the journal, with no call: the same media_assets row and
    /// manifest entry that run was writing.
    /// </summary>
    public async Task<ImageGenChapterResult> AdoptAsync(PlannedChapter item)
    {
        var delivery = item.Journaled!.Delivery;
        var adopted = _run.Journal.Adopt(item.Journaled, item.Previous);
        _run.Journal.DropAnswer(_run.EpisodeId, item.Chapter.ChapterId);
        await LogArchiveAsync(item.Chapter.ChapterId, adopted.Archive).ConfigureAwait(false);
        // A killed run's PNG: its pixels were never decoded in this process, so the thumbnail is made from the file (rare).
        KeepThumbnail(item.Chapter.ChapterId, delivery.PngSha256!, null);
        _run.Assets.Replace(adopted.Asset);
        // This run spent nothing on it; the entry keeps what the killed run paid, which stays on that run's row.
        return await _manifest.RecordAsync(item, adopted.Entry, cost: 0, journalId: delivery.Id).ConfigureAwait(false);
    }

    /// <summary>
    /// The image a killed run saved from the API's answer but had not placed, to be placed by this run at no cost;
    /// null when the saved file is gone or damaged (the chapter is then generated as usual).
    /// </summary>
    public AnsweredImage? AdoptAnswer(PlannedChapter item)
    {
        var delivery = item.Journaled!.Delivery;
        if (_run.Journal.ReadAnswer(delivery) is not { } saved)
        {
            return null;
        }
        var a = saved.Answer;
        var result = new ImageGenResult
        {
            Outcome = ApiOutcome.Succeeded, Image = saved.Image, RevisedPrompt = a.RevisedPrompt,
            Usage = a.Usage, CostUsd = a.ImageCostUsd, CostEstimated = a.CostEstimated, Attempts = a.Attempts,
        };
        return new AnsweredImage(item, _run.Plan.Profile.ToRequest(a.Prompt), result, delivery.Id, a.CostUsd, Adopted: true);
    }

    private void KeepThumbnail(string chapterId, string sha, byte[]? jpeg) => ThumbnailStore.TryKeep(_run.Paths, _run.EpisodeId, chapterId, sha, jpeg);

    /// <summary>Says where the replaced image went, and logs every pruned version (pruning is the only deletion).</summary>
    private async Task LogArchiveAsync(string chapterId, ImageArchive archive)
    {
        if (archive.Version is { } version)
        {
            await _run.Events.WriteAsync(new RunMessage($"{chapterId}: the previous image is kept as history version {version}.", IsWarning: false)).ConfigureAwait(false);
        }
        if (archive.Pruned.Count > 0)
        {
            await _run.Events.WriteAsync(new RunMessage($"{chapterId}: history pruned to image_history_keep, deleted version(s) {string.Join(", ", archive.Pruned)}.", IsWarning: false)).ConfigureAwait(false);
        }
    }
}
