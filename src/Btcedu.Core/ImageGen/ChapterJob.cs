using Btcedu.Core.Imaging;
using Btcedu.Core.Storage;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// One chapter's work in a run: adopt what a killed run was delivered, or get the prompt, reserve the image's
/// estimate, call the service, and journal, place and record the image (PNG, media_assets row, manifest entry).
/// </summary>
internal sealed class ChapterJob
{
    private readonly RunState _run;
    private readonly ManifestRecorder _manifest;
    private readonly PromptWriter _prompts;
    private readonly IImageGenService? _images;

    public ChapterJob(RunState run, ManifestRecorder manifest, PromptWriter prompts, IImageGenService? images)
    {
        _run = run;
        _manifest = manifest;
        _prompts = prompts;
        _images = images;
    }

    public async Task<ImageGenChapterResult> RunAsync(PlannedChapter item, CancellationToken ct)
    {
        using var subject = Workspace.LogContext.Begin($"{_run.EpisodeId}/{item.Chapter.ChapterId}"); // names retries and pauses
        try
        {
            return await GenerateAsync(item, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be written fails its chapter, not the run.
            return await RecordAsync(item, ManifestEntries.Failed(item, null, $"Failed: could not write the image: {e.Message}"), 0).ConfigureAwait(false);
        }
    }

    private async Task<ImageGenChapterResult> GenerateAsync(PlannedChapter item, CancellationToken ct)
    {
        var chapter = item.Chapter;
        if (item.Adopts && await AdoptAsync(item).ConfigureAwait(false) is { } adopted)
        {
            return adopted; // free, so neither a stopped run nor the cap holds it back
        }
        if (_run.StoppedBy is { } stop)
        {
            return await NotAttemptedAsync(item, stop).ConfigureAwait(false);
        }
        if (_run.Ledger.Closed)
        {
            return await RecordAsync(item, ManifestEntries.CostLimited(item, _run.Plan.MaxCostUsd), cost: 0).ConfigureAwait(false);
        }

        var written = await _prompts.WriteAsync(item, ct).ConfigureAwait(false);
        if (written.Stop is { } stopped)
        {
            return await NotAttemptedAsync(item, stopped, written.CostUsd).ConfigureAwait(false);
        }
        if (written.CostLimited)
        {
            return await RecordAsync(item, ManifestEntries.CostLimited(item, _run.Plan.MaxCostUsd), cost: 0).ConfigureAwait(false);
        }
        if (written.Error is { } error)
        {
            return await RecordAsync(item, ManifestEntries.Failed(item, null, error), written.CostUsd).ConfigureAwait(false);
        }
        var prompt = written.Prompt!;
        var llmCost = written.CostUsd;

        var profile = _run.Plan.Profile;
        if (_run.Ledger.TryReserve(profile.EstimatedCostUsd) is not { } reserved)
        {
            return await RecordAsync(item, ManifestEntries.CostLimited(item, _run.Plan.MaxCostUsd) with { Prompt = prompt, ChapterHash = item.ChapterHash }, llmCost).ConfigureAwait(false);
        }
        var request = profile.ToRequest(prompt);
        var intent = _run.WithTotals(totals => _run.Journal.Intend(_run.EpisodeId, item, reserved, totals));
        InternalHooks.KillPoint(KillPoints.AfterIntent, chapter.ChapterId);
        ImageGenResult result;
        try
        {
            result = await _images!.GenerateImageAsync(request, ct).ConfigureAwait(false);
        }
        catch
        {
            _run.Ledger.Settle(reserved, 0); // cancelled before an answer: nothing billed that we know of
            throw;
        }
        InternalHooks.KillPoint(KillPoints.AfterAnswer, chapter.ChapterId);
        _run.Ledger.Settle(reserved, result.CostUsd);
        _run.AddTokens(result.InputTokens, result.OutputTokens);
        var cost = llmCost + result.CostUsd;
        if (_run.StopFor(result.Outcome, result.ErrorMessage) is { } stoppedByImage)
        {
            var notAttempted = await NotAttemptedAsync(item, stoppedByImage, cost, prompt).ConfigureAwait(false);
            _run.Journal.Remove(intent);
            return notAttempted;
        }
        if (!result.Succeeded || result.Png is null)
        {
            var failed = ManifestEntries.Failed(item, request.Prompt, $"{result.Outcome}: {result.ErrorMessage}") with { RevisedPrompt = result.RevisedPrompt, CostEstimated = result.CostEstimated };
            var recordedFailure = await RecordAsync(item, failed, cost, result.Attempts).ConfigureAwait(false);
            _run.Journal.Remove(intent);
            return recordedFailure;
        }
        return await DeliverAsync(item, request, result, intent, cost).ConfigureAwait(false);
    }

    /// <summary>Journals the image before it becomes visible, so that a kill from here on leaves an image the next run adopts.</summary>
    private async Task<ImageGenChapterResult> DeliverAsync(PlannedChapter item, ImageGenRequest request, ImageGenResult result, long intent, decimal cost)
    {
        var chapterId = item.Chapter.ChapterId;
        var (paths, episodeId, profile) = (_run.Paths, _run.EpisodeId, _run.Plan.Profile);
        var filePath = paths.RelativeToEpisode(episodeId, paths.ImageFile(episodeId, chapterId));
        var entry = ManifestEntries.Generated(item, request, result, profile, filePath, _run.Time.GetUtcNow(), cost);
        var asset = ManifestEntries.Asset(episodeId, item, entry, result, profile, item.Chapter.ImagePrompt is null ? _run.Plan.PromptVersion.Id : null);

        await _run.Journal.StageAsync(episodeId, chapterId, result.Png!).ConfigureAwait(false);
        _run.WithTotals(totals =>
        {
            _run.Journal.Deliver(intent, result.Png!, entry, asset, totals);
            return true;
        });
        InternalHooks.KillPoint(KillPoints.AfterDelivery, chapterId);
        await LogArchiveAsync(chapterId, _run.Journal.Place(episodeId, chapterId, item.Previous)).ConfigureAwait(false);
        InternalHooks.KillPoint(KillPoints.AfterPng, chapterId);
        _run.Assets.Replace(asset);
        InternalHooks.KillPoint(KillPoints.AfterAssetRow, chapterId);
        var recorded = await RecordAsync(item, entry, cost, result.Attempts).ConfigureAwait(false);
        InternalHooks.KillPoint(KillPoints.AfterManifest, chapterId);
        _run.Journal.Remove(intent);
        return recorded;
    }

    /// <summary>
    /// Records the image a killed run was delivered, from the journal, with no call: the same media_assets row and
    /// manifest entry that run was writing. Null when its PNG has gone meanwhile (the chapter is generated).
    /// </summary>
    private async Task<ImageGenChapterResult?> AdoptAsync(PlannedChapter item)
    {
        var delivery = item.JournaledDelivery!;
        if (_run.Journal.Adopt(delivery, item.Previous) is not { } adopted)
        {
            return null;
        }
        await LogArchiveAsync(item.Chapter.ChapterId, adopted.Archive).ConfigureAwait(false);
        _run.Assets.Replace(adopted.Asset);
        // This run spent nothing on it; the entry keeps what the killed run paid, which stays on that run's row.
        var result = await RecordAsync(item, adopted.Entry, cost: 0).ConfigureAwait(false);
        _run.Journal.Remove(delivery.Id);
        return result;
    }

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

    /// <summary>A chapter the stopped run did not finish: its manifest entry stays as it was; its spending still counts.</summary>
    private async Task<ImageGenChapterResult> NotAttemptedAsync(PlannedChapter item, BtceduException stop, decimal cost = 0, string? prompt = null)
    {
        await _manifest.KeepPromptAsync(item, prompt).ConfigureAwait(false);
        return _run.Result(item, ImageStatus.Skipped, cost, null, $"not attempted: the run stopped ({stop.ErrorId})");
    }

    /// <summary>Puts a finished chapter into the manifest (written at once, atomically) and the run's totals.</summary>
    private async Task<ImageGenChapterResult> RecordAsync(PlannedChapter item, ManifestEntry entry, decimal cost, int attempts = 0)
    {
        if (entry.Status != ImageStatus.Generated)
        {
            entry = entry with { CostUsd = cost }; // the entry describes this attempt, not the image kept from before
        }
        await _manifest.RecordAsync(item.Chapter.ChapterId, entry).ConfigureAwait(false);
        if (entry.Status == ImageStatus.Failed)
        {
            await _run.Events.WriteAsync(new RunMessage($"{item.Chapter.ChapterId}: {entry.Error}", IsWarning: false)).ConfigureAwait(false);
        }
        return _run.Result(item, entry.Status, cost, entry.Error, entry.Reason ?? (entry.Status == ImageStatus.Generated ? item.Reason : null), attempts);
    }
}
