using System.Globalization;
using System.Threading.Channels;
using Btcedu.Core.Episodes;
using Btcedu.Core.Llm;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Prompts;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// Batch mode (issue 23): an episode's chapter images through OpenAI's Batch API, at its prices (half the
/// synchronous ones for gpt-image-2), exactly once across kills.
/// <list type="bullet">
/// <item>Submit, under the episode lock: plan at the Batch API's prices (chapters an open batch holds are pending, not
/// submitted again), write the prompts, reserve each request against the cap, journal the batch's intent (chapters,
/// hashes, the input file's SHA-256) with the reservations on its run row, then upload and create, recording each
/// id as soon as it is known. A submit killed on the way is finished by the next one, which first looks for the
/// upload by its file name and for the batch by its metadata (btcedu_key), so no second batch is ever made.</item>
/// <item>Refresh reads open batches from OpenAI without the lock; the lock is never held while OpenAI works.</item>
/// <item>Collect, when a batch is finished: its files are downloaded, then, under the lock, its results go through the
/// synchronous run's local stage (<see cref="ImageGenRun"/>), each settling its request at the Batch API's price;
/// failed, expired and cancelled requests release theirs. Collecting again changes nothing.</item>
/// </list>
/// </summary>
public sealed class ImageBatches : IDisposable
{
    /// <summary>The metadata key that names a batch's journal entry on OpenAI.</summary>
    public const string MetadataKey = "btcedu_key";

    private readonly ImageGenServices _services;
    private readonly ImageGenPlanner _planner;
    private readonly PipelineRunStore _runs;
    private readonly ImageBatchStore _store;
    private readonly OpenAIServiceOptions? _options;
    private readonly Action<string>? _log;
    private OpenAIBatchApi? _api;

    public ImageBatches(ImageGenServices services, string promptsDirectory, Action<string>? log = null, OpenAIServiceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        _runs = new PipelineRunStore(services.Database);
        _planner = new ImageGenPlanner(services, new PromptRegistry(promptsDirectory, new PromptVersionStore(services.Database)), _runs);
        _store = new ImageBatchStore(services.Database);
        _options = options;
        _log = log;
    }

    /// <summary>What a submit would batch, at the Batch API's prices (-WhatIf); BatchNotSupported for a model without them.</summary>
    public ImageGenPlan Plan(string episodeId, ImageGenSelection selection) => _planner.Plan(episodeId, selection with { Batch = true });

    /// <summary>The workspace's batches (of one episode or all), as last read, oldest first.</summary>
    public IReadOnlyList<ImageBatch> List(string? episodeId = null) => [.. _store.List(episodeId).Select(Describe)];

    /// <summary>
    /// Submits one batch for every chapter of the episode that needs an image and no open batch holds; null when there
    /// is none. Finishes first any submit of the episode a kill interrupted.
    /// </summary>
    public async Task<ImageBatch?> SubmitAsync(string episodeId, ImageGenSelection selection, CancellationToken cancellationToken)
    {
        selection = selection with { Batch = true };
        if (_planner.Plan(episodeId, selection).ToGenerate.Any() || _store.Open(episodeId).Any(b => b.BatchId is null))
        {
            _services.Settings.RequireApiKey();
        }
        using var episodeLock = EpisodeLock.Acquire(_services.Paths.LockFile(Identifier.Require(episodeId, "Episode id")), episodeId, _services.Time);
        new InterruptedRuns(_services.Paths, _runs).SettleUnderLock(episodeId);
        await ResumeUnderLockAsync(episodeId, cancellationToken).ConfigureAwait(false);

        var plan = _planner.Plan(episodeId, selection, record: true);
        // A chapter a killed synchronous run was delivered for is left to the next synchronous run, which adopts it unpaid.
        var work = plan.ToGenerate.Where(i => !i.Adopts).ToList();
        if (work.Count == 0)
        {
            return null;
        }
        if (work.Count > BatchLines.MaxLines)
        {
            throw new BtceduException("ImageBatchTooLarge", BtceduErrorKind.LimitsExceeded, $"Episode '{episodeId}' has {work.Count} chapters to batch; OpenAI takes at most {BatchLines.MaxLines} per batch.", episodeId);
        }

        var runId = _runs.Start(episodeId, Stage.imagegen); // running until the intent: a kill before it leaves an interrupted row
        var events = Channel.CreateUnbounded<ImageGenEvent>();
        var run = new RunState(_services, plan, _runs, new MediaAssetStore(_services.Database, _services.Paths), DeliveryJournal.For(_services), events.Writer) { RunId = runId };
        var requests = new List<ImageBatchRequest>();
        var costLimited = new List<string>();
        using (var text = work.Any(i => i.NeedsLlm) ? new OpenAITextGenService(_services.Settings, _options, _services.Time, _log) : null)
        {
            var prompts = new PromptWriter(run, text);
            foreach (var item in work)
            {
                var written = await prompts.WriteAsync(item, cancellationToken).ConfigureAwait(false);
                if (written.Stop is { } stop)
                {
                    _runs.Complete(runId, PipelineRunStatus.Failed, run.InputTokens, run.OutputTokens, run.Ledger.RunSpent, stop.Message);
                    throw stop;
                }
                if (written.Prompt is null)
                {
                    _log?.Invoke($"{episodeId}/{item.Chapter.ChapterId}: not batched: {written.Error ?? "the cost cap leaves no room for its prompt"}");
                    continue;
                }
                if (run.Ledger.TryReserve(plan.Profile.EstimatedCostUsd) is not { } reserved)
                {
                    costLimited.Add(item.Chapter.ChapterId); // the ledger stays closed: the rest are left out too, in order
                    continue;
                }
                requests.Add(new ImageBatchRequest(item.Chapter.ChapterId, item.Chapter.ChapterId, item.ChapterHash, written.Prompt, reserved));
            }
        }
        if (requests.Count == 0)
        {
            _runs.Complete(runId, PipelineRunStatus.CostLimited, run.InputTokens, run.OutputTokens, run.Ledger.RunSpent, "nothing fitted under the cost cap");
            throw new BtceduException("CostLimitExceeded", BtceduErrorKind.LimitsExceeded,
                $"Episode '{episodeId}': the cost cap of ${plan.MaxCostUsd.ToString("0.000", CultureInfo.InvariantCulture)} leaves no room for any image at the batch price; nothing was submitted.", episodeId);
        }

        var input = BatchLines.Input(plan.Profile, requests.Select(r => (r.CustomId, r.Prompt)));
        var key = "btcedu-" + Guid.NewGuid().ToString("N");
        var batch = new NewImageBatch(episodeId, key, plan.Profile.Model, plan.Profile.Size, plan.Profile.Quality, ContentHash.Of(input),
            System.Text.Encoding.UTF8.GetString(input), $"{key}-{episodeId}.jsonl");
        var id = _store.Intend(batch, requests, runId, run.Ledger.RunSpent, run.InputTokens, run.OutputTokens);
        InternalHooks.KillPoint(KillPoints.SubmitAfterIntent, episodeId);
        await ContinueAsync(_store.Open(episodeId).Single(b => b.Id == id), resuming: false, cancellationToken).ConfigureAwait(false);
        return Describe(_store.List(episodeId).Single(b => b.Id == id)) with { CostLimitedChapterIds = costLimited };
    }

    /// <summary>
    /// Reads every open batch (of one episode or all) from OpenAI and records what it says; a batch OpenAI failed
    /// (an invalid input file) releases its reservations. A submit a kill interrupted is finished when its episode is
    /// free. Returns the batches, open ones refreshed.
    /// </summary>
    public async Task<IReadOnlyList<ImageBatch>> RefreshAsync(string? episodeId, CancellationToken cancellationToken)
    {
        var open = _store.Open(episodeId);
        if (open.Count > 0)
        {
            _services.Settings.RequireApiKey();
        }
        foreach (var episode in open.Where(b => b.BatchId is null).Select(b => b.EpisodeId).Distinct(StringComparer.Ordinal))
        {
            try
            {
                using var episodeLock = EpisodeLock.Acquire(_services.Paths.LockFile(episode), episode, _services.Time);
                await ResumeUnderLockAsync(episode, cancellationToken).ConfigureAwait(false);
            }
            catch (BtceduException e) when (e.ErrorId == "EpisodeLocked")
            {
                // Its run or submit is alive: that one finishes it.
            }
        }
        foreach (var row in _store.Open(episodeId).Where(b => b.BatchId is not null))
        {
            Record(row, await Api.GetAsync(row.BatchId!, cancellationToken).ConfigureAwait(false));
        }
        return List(episodeId);
    }

    /// <summary>
    /// Collects one finished batch: downloads its files, then, under the episode lock, places its results through the
    /// synchronous run's local stage and settles every request; writes one result per batched chapter to
    /// <paramref name="events"/>. Null (and nothing written) when the batch is not finished or was collected.
    /// </summary>
    public async Task<ImageGenSummary?> CollectAsync(ImageBatch batch, ChannelWriter<ImageGenEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(events);
        try
        {
            var row = _store.Open(batch.EpisodeId).SingleOrDefault(b => b.Key == batch.Key);
            if (row?.BatchId is null)
            {
                return null;
            }
            var job = await Api.GetAsync(row.BatchId, cancellationToken).ConfigureAwait(false);
            row = Record(row, job);
            if (!job.IsFinal || row.CollectedAt is not null)
            {
                return null;
            }
            // The files are read before the lock: OpenAI's work never holds it.
            // Priced as submitted: the batch's model, size and quality at the Batch API's prices, whatever the settings say now.
            var profile = Imaging.ImageRequestProfile.Resolve(row.Model, row.Size, row.Quality, null, _services.Settings.Models).AtBatchPrices();
            var output = job.OutputFileId is { } o ? await Api.DownloadAsync(o, cancellationToken).ConfigureAwait(false) : null;
            var errors = job.ErrorFileId is { } e ? await Api.DownloadAsync(e, cancellationToken).ConfigureAwait(false) : null;
            var lines = BatchLines.Read(profile, output, errors);

            var episodeLock = EpisodeLock.Acquire(_services.Paths.LockFile(row.EpisodeId), row.EpisodeId, _services.Time);
            ImageGenRun collect;
            BatchCollection collection;
            try
            {
                var requests = _store.Requests(row.Id);
                var plan = _planner.Plan(row.EpisodeId, new ImageGenSelection { Collecting = row.Id, Restrict = [.. requests.Select(r => r.ChapterId)] }, record: true);
                // Results the run will not place (a chapter made meanwhile, or changed) are settled now, at their price if they ran.
                foreach (var item in plan.Items.Where(i => i.Decision != ChapterDecision.Generate))
                {
                    if (requests.FirstOrDefault(r => r.ChapterId == item.Chapter.ChapterId) is { State: ImageBatchRequestStates.Pending } r)
                    {
                        _store.SettleUnplaced(row.Id, r.CustomId, lines.TryGetValue(r.CustomId, out var l) && l.Result.Succeeded ? l.Result.CostUsd : null, row.RunId);
                    }
                }
                var rowCost = _runs.List(row.EpisodeId).Single(r => r.Id == row.RunId).EstimatedCostUsd;
                collection = new BatchCollection(row, job.Status, _store.Requests(row.Id), lines, rowCost);
                var journal = DeliveryJournal.For(_services);
                journal.DiscardExcept(row.EpisodeId, [.. plan.Items.Select(i => i.Journaled?.Delivery).OfType<ImageDelivery>()]);
                collect = new ImageGenRun(_services, _runs, new MediaAssetStore(_services.Database, _services.Paths), journal, plan, episodeLock);
            }
            catch
            {
                episodeLock.Dispose();
                throw;
            }
            using (collect)
            {
                var summary = await collect.CollectAsync(collection, events, cancellationToken).ConfigureAwait(false);
                InternalHooks.KillPoint(KillPoints.CollectBeforeSettle, row.EpisodeId);
                _store.MarkCollected(row.Id);
                return summary;
            }
        }
        finally
        {
            events.TryComplete();
        }
    }

    /// <summary>
    /// Cancels the episode's open batches (only those holding <paramref name="chapterIds"/>, when given). OpenAI takes
    /// up to 10 minutes and keeps what finished, which is billed: the batches stay open until received, and their
    /// reservations count until then. Returns the batches asked to cancel.
    /// </summary>
    public async Task<IReadOnlyList<ImageBatch>> CancelAsync(string episodeId, IReadOnlyCollection<string>? chapterIds, CancellationToken cancellationToken)
    {
        var cancelled = new List<ImageBatch>();
        foreach (var row in _store.Open(episodeId))
        {
            var requests = _store.Requests(row.Id);
            if (chapterIds is not null && !requests.Any(r => chapterIds.Contains(r.ChapterId) && r.State == ImageBatchRequestStates.Pending))
            {
                continue;
            }
            if (row.BatchId is null)
            {
                // A submit a kill interrupted: finish it under the lock so there is a batch to cancel (never a second one).
                using (EpisodeLock.Acquire(_services.Paths.LockFile(episodeId), episodeId, _services.Time))
                {
                    await ResumeUnderLockAsync(episodeId, cancellationToken).ConfigureAwait(false);
                }
            }
            var current = _store.Open(episodeId).SingleOrDefault(b => b.Id == row.Id);
            if (current?.BatchId is null || current.Status is "completed" or "failed" or "expired" or "cancelled" or "cancelling")
            {
                continue;
            }
            Record(current, await Api.CancelAsync(current.BatchId, cancellationToken).ConfigureAwait(false));
            cancelled.Add(Describe(_store.List(episodeId).Single(b => b.Id == row.Id)));
        }
        return cancelled;
    }

    /// <summary>The poll interval after <paramref name="previous"/>: about 1 s at first, growing by half each time to at most 60 s.</summary>
    public static TimeSpan NextPoll(TimeSpan? previous) =>
        previous is not { } p ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(60).Ticks, (long)(p.Ticks * 1.5)));

    public void Dispose() => _api?.Dispose();

    private OpenAIBatchApi Api => _api ??= new OpenAIBatchApi(OpenAIEndpoint.From(_services.Settings), _options, _services.Time, _log);

    /// <summary>Finishes every submit of the episode a kill left before its batch was created (the caller holds the lock).</summary>
    private async Task ResumeUnderLockAsync(string episodeId, CancellationToken ct)
    {
        foreach (var row in _store.Open(episodeId).Where(b => b.BatchId is null))
        {
            if (ContentHash.Of(System.Text.Encoding.UTF8.GetBytes(row.Input)) != row.InputSha256)
            {
                _store.Abandon(row.Id, "failed", "its journaled input no longer matches its SHA-256; nothing was submitted from it");
                continue;
            }
            _log?.Invoke($"{episodeId}: finishing the submit of batch {row.Key}, which a kill interrupted ({row.Status}).");
            await ContinueAsync(row, resuming: true, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Upload (unless done), create (unless done), each id recorded as soon as it is known; a resumed submit looks for each first.</summary>
    private async Task ContinueAsync(ImageBatchRow row, bool resuming, CancellationToken ct)
    {
        var fileId = row.FileId;
        if (fileId is null)
        {
            fileId = (resuming ? await Api.FindFileAsync(row.FileName, ct).ConfigureAwait(false) : null)
                ?? await Api.UploadAsync(System.Text.Encoding.UTF8.GetBytes(row.Input), row.FileName, ct).ConfigureAwait(false);
            InternalHooks.KillPoint(KillPoints.SubmitAfterUpload, row.EpisodeId);
            _store.SetFile(row.Id, fileId);
        }
        var job = (resuming ? await Api.FindBatchAsync(MetadataKey, row.Key, ct).ConfigureAwait(false) : null)
            ?? await Api.CreateAsync(fileId, new Dictionary<string, string> { [MetadataKey] = row.Key, ["btcedu_episode"] = row.EpisodeId }, ct).ConfigureAwait(false);
        InternalHooks.KillPoint(KillPoints.SubmitAfterCreate, row.EpisodeId);
        Record(row, job);
    }

    /// <summary>Records OpenAI's view of a batch; a failed one (its input refused) releases every reservation and needs no collect.</summary>
    private ImageBatchRow Record(ImageBatchRow row, BatchJob job)
    {
        _store.Update(row.Id, job.Id, job.Status, job.Completed, job.Failed, job.ExpiresAt, job.OutputFileId, job.ErrorFileId, job.Errors);
        if (job.Status == "failed")
        {
            _store.Abandon(row.Id, "failed", $"OpenAI refused the batch: {job.Errors ?? "no reason given"}");
        }
        return _store.List(row.EpisodeId).Single(b => b.Id == row.Id);
    }

    private ImageBatch Describe(ImageBatchRow row) => ImageBatch.From(row, _store.Requests(row.Id));
}
