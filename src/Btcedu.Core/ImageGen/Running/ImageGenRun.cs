using System.Threading.Channels;
using Btcedu.Core.Episodes;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// A run that holds its episode's lock and has planned under it: the caller can show <see cref="Plan"/> before
/// anything is called, then run it. The chapters to generate run concurrently up to the throttle limit; each
/// result is reported in chapter order; at the end the run writes provenance, records itself, sets the episode's
/// status and the stale markers. Dispose to release the lock (after the run has settled).
/// </summary>
public sealed class ImageGenRun : IDisposable
{
    private readonly ImageGenServices _services;
    private readonly PipelineRunStore _runs;
    private readonly MediaAssetStore _assets;
    private readonly DeliveryJournal _journal;
    private readonly EpisodeLock _lock;

    internal ImageGenRun(ImageGenServices services, PipelineRunStore runs, MediaAssetStore assets, DeliveryJournal journal, ImageGenPlan plan, EpisodeLock episodeLock)
    {
        _services = services;
        _runs = runs;
        _assets = assets;
        _journal = journal;
        Plan = plan;
        _lock = episodeLock;
    }

    public ImageGenPlan Plan { get; }

    /// <summary>Whether any chapter is to be generated: only then are providers needed.</summary>
    public bool HasWork => Plan.ToGenerate.Any();

    /// <summary>Runs the plan; <paramref name="events"/> is completed at the end.</summary>
    public async Task<ImageGenSummary> RunAsync(ImageGenProviders? providers, ChannelWriter<ImageGenEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            if (HasWork && providers is null)
            {
                throw new InvalidOperationException("A run with chapters to generate needs an image and a text provider.");
            }
            var run = new RunState(_services, Plan, _runs, _assets, _journal, events);
            return await ExecuteAsync(run, (manifest, local) =>
            {
                var api = new ApiStage(run, manifest, new PromptWriter(run, providers?.Text), local, providers?.Images);
                return api.CallAsync;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            events.TryComplete();
        }
    }

    /// <summary>
    /// Collects a finished batch through the same stages: its results stand in for the API stage's calls, and the
    /// local stage, the manifest, the records and the run's end are the synchronous run's own. The run row is the
    /// batch's, whose reservations its results settle.
    /// </summary>
    internal async Task<ImageGenSummary> CollectAsync(BatchCollection collection, ChannelWriter<ImageGenEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            var run = new RunState(_services, Plan, _runs, _assets, _journal, events, collection.Ledger()) { RunId = collection.Batch.RunId, BatchId = collection.Batch.BatchId };
            return await ExecuteAsync(run, (manifest, local) => new BatchCollectStage(run, manifest, local, collection).CollectAsync, cancellationToken, collecting: true).ConfigureAwait(false);
        }
        finally
        {
            events.TryComplete();
        }
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>Workers of the local stage (decode, normalise, encode, write, record): one per core.</summary>
    internal static int LocalWorkers => Math.Max(1, Environment.ProcessorCount);

    private async Task<ImageGenSummary> ExecuteAsync(RunState run, Func<ManifestRecorder, LocalStage, Func<PlannedChapter, CancellationToken, Task<ApiStep>>> caller, CancellationToken cancellationToken, bool collecting = false)
    {
        var events = run.Events;
        var manifest = new ManifestRecorder(run);
        var emitter = new ResultEmitter(Plan.Items, events);
        var local = new LocalStage(run, manifest);
        var call = caller(manifest, local);

        var work = new List<(int Index, PlannedChapter Item)>();
        var cards = new CardMaker(run);
        for (var i = 0; i < Plan.Items.Count; i++)
        {
            var item = Plan.Items[i];
            if (item.Card is { Due: true })
            {
                manifest.Put(item, await cards.MakeAsync(item).ConfigureAwait(false));
                run.CardsMade.Add(item.Chapter.ChapterId);
            }
            if (item.Decision == ChapterDecision.Generate)
            {
                work.Add((i, item));
            }
            else
            {
                emitter.Complete(i, ResultWithoutWork(run, manifest, item));
            }
        }
        await emitter.EmitReadyAsync().ConfigureAwait(false);
        if (work.Count == 0)
        {
            return await FinishAsync(run, manifest, emitter, cancelled: false).ConfigureAwait(false);
        }

        if (run.RunId == 0)
        {
            run.RunId = _runs.Start(run.EpisodeId, Stage.imagegen);
        }
        var cancelled = false;
        var done = 0;
        async ValueTask CompleteAsync(int index, ImageGenChapterResult result)
        {
            emitter.Complete(index, result);
            var count = Interlocked.Increment(ref done);
            await events.WriteAsync(new ProgressChanged(count, work.Count, run.Ledger.RunSpent, result.ChapterId), CancellationToken.None).ConfigureAwait(false);
            await emitter.EmitReadyAsync().ConfigureAwait(false);
        }

        using var stopWriting = new CancellationTokenSource();
        var writer = manifest.WriteWhileRunningAsync(stopWriting.Token);
        try
        {
            await RunStagesAsync(work, call, local, CompleteAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (Exception e)
        {
            // Whatever stopped the run, its row must not stay "running" with its spending unrecorded.
            await StopWriterAsync().ConfigureAwait(false);
            _runs.Complete(run.RunId, PipelineRunStatus.Failed, run.InputTokens, run.OutputTokens, run.Ledger.RunSpent, e.Message);
            throw;
        }
        await StopWriterAsync().ConfigureAwait(false);
        if (collecting)
        {
            InternalHooks.KillPoint(KillPoints.CollectAfterImages, run.EpisodeId);
        }
        var summary = await FinishAsync(run, manifest, emitter, cancelled).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return summary;

        async Task StopWriterAsync()
        {
            await stopWriting.CancelAsync().ConfigureAwait(false);
            await writer.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The API stage (ThrottleLimit workers, each holding its slot only for its chapter's calls) hands every image the
    /// API answered with to the local stage (<see cref="LocalWorkers"/>) through a bounded queue, and takes the next
    /// chapter at once. An image already paid for is placed even when the run is cancelled: only a failure of the
    /// local stage itself stops the hand-over.
    /// </summary>
    private async Task RunStagesAsync(List<(int Index, PlannedChapter Item)> work, Func<PlannedChapter, CancellationToken, Task<ApiStep>> call, LocalStage local,
        Func<int, ImageGenChapterResult, ValueTask> complete, CancellationToken cancellationToken)
    {
        var answered = Channel.CreateBounded<(int Index, AnsweredImage Image)>(Math.Max(Plan.ThrottleLimit, LocalWorkers));
        using var localFailed = new CancellationTokenSource();
        using var stopCalls = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, localFailed.Token);
        // Threads of their own, not the pool's: decoding, encoding and fsync block for tens of milliseconds, and on a
        // machine with few cores, pool threads blocked by them would hold back the answers of the calls in flight.
        var placing = Task.WhenAll(Enumerable.Range(0, LocalWorkers).Select(_ => Task.Factory.StartNew(() =>
        {
            try
            {
                while (answered.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    while (answered.Reader.TryRead(out var a))
                    {
                        var result = local.PlaceAsync(a.Image).GetAwaiter().GetResult();
                        complete(a.Index, result).AsTask().GetAwaiter().GetResult();
                    }
                }
            }
            catch
            {
                localFailed.Cancel();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

        Exception? callsFailed = null;
        try
        {
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Plan.ThrottleLimit, CancellationToken = stopCalls.Token },
                async (w, ct) =>
                {
                    var step = await call(w.Item, ct).ConfigureAwait(false);
                    if (step.Answered is { } image)
                    {
                        await answered.Writer.WriteAsync((w.Index, image), localFailed.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        await complete(w.Index, step.Result!).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            callsFailed = e;
        }
        answered.Writer.Complete();
        await placing.ConfigureAwait(false); // the local stage's error first: it is what stopped the calls
        if (callsFailed is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(callsFailed).Throw();
        }
    }

    private static ImageGenChapterResult ResultWithoutWork(RunState run, ManifestRecorder manifest, PlannedChapter item) => item.Decision switch
    {
        ChapterDecision.UpToDate => run.Result(item, ImageStatus.Unchanged, reason: item.Reason),
        ChapterDecision.NotSelected => run.Result(item,
            manifest[item.Chapter.ChapterId].Status == ImageStatus.Generated && File.Exists(run.Paths.ImageFile(run.EpisodeId, item.Chapter.ChapterId)) ? ImageStatus.Unchanged : ImageStatus.Skipped,
            reason: item.Reason),
        _ => run.Result(item, ImageStatus.Skipped, reason: item.Reason), // skipped, or pending in a batch
    };

    private async Task<ImageGenSummary> FinishAsync(RunState run, ManifestRecorder manifest, ResultEmitter emitter, bool cancelled)
    {
        // Only chapters in this run's scope count; the others were carried over, not looked at.
        var results = emitter.InScope;
        var verdict = RunVerdict.Of(Plan.Episode.Status, Plan.MaxCostUsd, cancelled, run.StoppedBy,
            Plan.Items.Where(i => i.Decision == ChapterDecision.Skip).Select(i => i.Chapter.ChapterId).ToHashSet(StringComparer.Ordinal),
            [.. Plan.Items.Select(i => i.Chapter.ChapterId)], [.. results.Select(r => (r.ChapterId, r.Status))]);

        var paths = run.Paths;
        // A brand card kept or made now matches its chapter just as a generated image does.
        foreach (var chapterId in verdict.SatisfiedChapters.Concat(cancelled ? [] : Plan.Items.Where(i => i.Card is not null).Select(i => i.Chapter.ChapterId)))
        {
            StaleMarker.Clear(paths.ImageFile(run.EpisodeId, chapterId));
        }
        if (verdict.StageSatisfied)
        {
            StaleMarker.Clear(paths.ManifestFile(run.EpisodeId));
        }
        int Count(ImageStatus s) => results.Count(r => r.Status == s);
        var generated = Count(ImageStatus.Generated);
        // Only the chapters whose image changed: the render stage re-cuts their segments and the episode's draft.
        var changed = (verdict.InvalidatesDownstream ? results.Where(r => r.Status == ImageStatus.Generated).Select(r => r.ChapterId) : [])
            .Concat(run.CardsMade).ToList();
        if (changed.Count > 0)
        {
            _services.Invalidation.InvalidateChapterImages(run.EpisodeId, changed,
                $"{generated} image(s) regenerated{(run.CardsMade.Count > 0 ? $", {run.CardsMade.Count} brand card(s) made" : "")}");
        }

        // A run that called nothing writes only what is missing or out of date: an idempotent re-run touches no file.
        var duration = run.Time.GetElapsedTime(run.StartedTicks);
        if (run.RunId != 0 || manifest.DiffersFromDisk())
        {
            await manifest.WriteAsync().ConfigureAwait(false);
        }
        if (run.RunId != 0 || !File.Exists(paths.ImageGenProvenanceFile(run.EpisodeId)))
        {
            await ProvenanceWriter.WriteAsync(run, results, duration).ConfigureAwait(false);
        }
        if (run.RunId != 0)
        {
            _runs.Complete(run.RunId, verdict.RunStatus, run.InputTokens, run.OutputTokens, run.Ledger.RunSpent, verdict.Error);
        }
        if (verdict.EpisodeStatus != Plan.Episode.Status)
        {
            _services.Episodes.SetStatus(run.EpisodeId, verdict.EpisodeStatus, verdict.EpisodeStatus == EpisodeStatus.COST_LIMIT ? "image generation stopped at the cost cap" : null);
        }

        return new ImageGenSummary
        {
            EpisodeId = run.EpisodeId,
            Generated = generated,
            Unchanged = Count(ImageStatus.Unchanged),
            Skipped = Count(ImageStatus.Skipped),
            Failed = Count(ImageStatus.Failed),
            CostLimited = Count(ImageStatus.CostLimited),
            CostUsd = run.Ledger.RunSpent,
            InputTokens = run.InputTokens,
            OutputTokens = run.OutputTokens,
            Duration = duration,
            EpisodeStatus = verdict.EpisodeStatus,
            RunStatus = verdict.RunStatus,
            MaxCostUsd = Plan.MaxCostUsd,
            FailedChapters = [.. results.Where(r => r.Status == ImageStatus.Failed).Select(r => r.ChapterId)],
            StoppedBy = run.StoppedBy,
        };
    }
}
