using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Prompts;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;
using Btcedu.Core.Composition;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The image-generation stage (ARCHITECTURE.md, "Image-generation run"): under the episode lock, generates
/// the planned chapters concurrently up to the throttle limit, writing each PNG, manifest entry and
/// media_assets row as soon as it is done, never passing the cost cap; then writes provenance, records the
/// run, sets the episode status and the stale markers.
/// </summary>
public sealed class ImageGenStage
{
    private readonly BtceduWorkspace _ws;
    private readonly ImageGenPlanner _planner;
    private readonly PipelineRunStore _runs;
    private readonly MediaAssetStore _assets;
    private readonly DeliveryJournal _journal;

    public ImageGenStage(BtceduWorkspace workspace, ImageGenPlanner planner, PipelineRunStore runs, MediaAssetStore assets)
    {
        _ws = workspace;
        _planner = planner;
        _runs = runs;
        _assets = assets;
        _journal = new DeliveryJournal(workspace.Paths, new ImageDeliveryStore(workspace.Database));
    }

    /// <summary>The stage over a workspace's own stores and its prompts folder.</summary>
    public static ImageGenStage Create(BtceduWorkspace workspace, string promptsDirectory)
    {
        var runs = new PipelineRunStore(workspace.Database);
        var planner = new ImageGenPlanner(workspace, new PromptRegistry(promptsDirectory, new PromptVersionStore(workspace.Database)), runs);
        return new ImageGenStage(workspace, planner, runs, new MediaAssetStore(workspace.Database, workspace.Paths));
    }

    /// <summary>Decides every chapter without taking the lock or writing anything (the dry run).</summary>
    public ImageGenPlan Plan(string episodeId, ImageGenSelection selection) => _planner.Plan(episodeId, selection);

    /// <summary>
    /// Checks every precondition (the planner's, and an API key when there is work) before anything is written, the
    /// lock file included; then takes the episode lock (refusing at
    /// once when another run holds it) and plans under it, recording the prompt template's version. Dispose the
    /// result to release the lock.
    /// </summary>
    public PreparedImageGenRun Prepare(string episodeId, ImageGenSelection selection)
    {
        // Every check runs before the lock file exists; a run with work needs a key.
        if (_planner.Plan(episodeId, selection).ToGenerate.Any())
        {
            _ws.Settings.RequireApiKey();
        }
        var episodeLock = EpisodeLock.Acquire(_ws.Paths.LockFile(Identifier.Require(episodeId, "Episode id")), episodeId, _ws.Time);
        try
        {
            var plan = _planner.Plan(episodeId, selection, record: true);
            new InterruptedRuns(_ws.Paths, _runs).SettleUnderLock(episodeId);
            // Every run that journaled anything is dead now: keep only what this plan (or a later one) can adopt.
            _journal.DiscardExcept(episodeId, [.. plan.Items.Select(i => i.JournaledDelivery).OfType<ImageDelivery>()]);
            return new PreparedImageGenRun(this, plan, episodeLock);
        }
        catch
        {
            episodeLock.Dispose();
            throw;
        }
    }

    /// <summary>Prepares and runs in one go. Events go to <paramref name="events"/>, which is completed at the end.</summary>
    public async Task<ImageGenSummary> RunAsync(string episodeId, ImageGenSelection selection, IImageGenService images, ITextGenService text,
        ChannelWriter<ImageGenEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            using var prepared = Prepare(episodeId, selection);
            return await prepared.RunAsync(images, text, events, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            events.TryComplete();
        }
    }

    internal Task<ImageGenSummary> ExecuteAsync(ImageGenPlan plan, IImageGenService? images, ITextGenService? text, ChannelWriter<ImageGenEvent> events, CancellationToken cancellationToken)
    {
        if (plan.ToGenerate.Any() && (images is null || text is null))
        {
            throw new InvalidOperationException("A run with chapters to generate needs an image and a text provider.");
        }
        return new Run(this, plan, images, text, events).ExecuteAsync(cancellationToken);
    }

    /// <summary>The state of one run; its workers share only the ledger, the manifest gate and the event channel.</summary>
    private sealed class Run
    {
        private readonly ImageGenStage _stage;
        private readonly ImageGenPlan _plan;
        private readonly IImageGenService? _images;
        private readonly ITextGenService? _text;
        private readonly ChannelWriter<ImageGenEvent> _events;
        private readonly string _episodeId;
        private readonly WorkspacePaths _paths;
        private readonly CostLedger _ledger;
        private readonly Dictionary<string, ManifestEntry> _manifest = new(StringComparer.Ordinal);
        private readonly ImageGenChapterResult?[] _results;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly object _totalsGate = new();
        private readonly long _startedTicks;
        private int _nextToEmit;
        private int _done;
        private long _inputTokens;
        private long _outputTokens;
        private long _runId;
        private BtceduException? _stoppedBy;

        public Run(ImageGenStage stage, ImageGenPlan plan, IImageGenService? images, ITextGenService? text, ChannelWriter<ImageGenEvent> events)
        {
            _stage = stage;
            _plan = plan;
            _images = images;
            _text = text;
            _events = events;
            _episodeId = plan.Episode.Id;
            _paths = stage._ws.Paths;
            _ledger = new CostLedger(plan.MaxCostUsd, plan.SpentBeforeUsd);
            _results = new ImageGenChapterResult?[plan.Items.Count];
            _startedTicks = stage._ws.Time.GetTimestamp();
        }

        private TimeProvider Time => _stage._ws.Time;

        public async Task<ImageGenSummary> ExecuteAsync(CancellationToken cancellationToken)
        {
            var work = new List<(int Index, PlannedChapter Item)>();
            for (var i = 0; i < _plan.Items.Count; i++)
            {
                var item = _plan.Items[i];
                _manifest[item.Chapter.ChapterId] = InitialEntry(item);
                if (item.Decision == ChapterDecision.Generate)
                {
                    work.Add((i, item));
                }
                else
                {
                    _results[i] = ResultWithoutWork(item);
                }
            }
            await EmitReadyAsync().ConfigureAwait(false);
            if (work.Count == 0)
            {
                return await FinishAsync(cancelled: false).ConfigureAwait(false);
            }

            _runId = _stage._runs.Start(_episodeId, Stage.imagegen);
            var cancelled = false;
            try
            {
                await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = _plan.ThrottleLimit, CancellationToken = cancellationToken },
                    async (w, ct) =>
                    {
                        ImageGenChapterResult result;
                        try
                        {
                            result = await GenerateAsync(w.Item, ct).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                        {
                            // A file that cannot be written fails its chapter, not the run.
                            result = await RecordAsync(w.Item, Failed(w.Item, null, $"Failed: could not write the image: {e.Message}"), 0).ConfigureAwait(false);
                        }
                        _results[w.Index] = result;
                        var done = Interlocked.Increment(ref _done);
                        await _events.WriteAsync(new ProgressChanged(done, work.Count, _ledger.RunSpent, w.Item.Chapter.ChapterId), CancellationToken.None).ConfigureAwait(false);
                        await EmitReadyAsync().ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
            }
            catch (Exception e)
            {
                // Whatever stopped the run, its row must not stay "running" with its spending unrecorded.
                _stage._runs.Complete(_runId, PipelineRunStatus.Failed, Interlocked.Read(ref _inputTokens), Interlocked.Read(ref _outputTokens), _ledger.RunSpent, e.Message);
                throw;
            }
            var summary = await FinishAsync(cancelled).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return summary;
        }

        private async Task<ImageGenChapterResult> GenerateAsync(PlannedChapter item, CancellationToken ct)
        {
            var chapter = item.Chapter;
            if (item.Adopts && await AdoptAsync(item).ConfigureAwait(false) is { } adopted)
            {
                return adopted; // free, so neither a stopped run nor the cap holds it back
            }
            if (Volatile.Read(ref _stoppedBy) is { } stop)
            {
                return await NotAttemptedAsync(item, stop).ConfigureAwait(false);
            }
            if (_ledger.Closed)
            {
                return await RecordAsync(item, CostLimited(item), cost: 0).ConfigureAwait(false);
            }

            string prompt;
            decimal llmCost = 0;
            if (item.NeedsLlm)
            {
                var promptRequest = PromptRequest.For(_plan.Template, _plan.Chapters.Document.Title, chapter, _plan.Llm!.Name);
                if (_ledger.TryReserve(promptRequest.MaxCostUsd(_plan.Llm)) is not { } reservation)
                {
                    return await RecordAsync(item, CostLimited(item), cost: 0).ConfigureAwait(false);
                }
                SaveTotals(); // the reservation counts even if the process dies during the call
                TextGenResult written;
                try
                {
                    written = await _text!.CompleteAsync(promptRequest, ct).ConfigureAwait(false);
                }
                catch
                {
                    _ledger.Settle(reservation, 0); // cancelled before an answer
                    throw;
                }
                _ledger.Settle(reservation, written.CostUsd);
                Interlocked.Add(ref _inputTokens, written.InputTokens ?? 0);
                Interlocked.Add(ref _outputTokens, written.OutputTokens ?? 0);
                llmCost = written.CostUsd;
                if (StopFor(written.Outcome, written.ErrorMessage) is { } stopped)
                {
                    return await NotAttemptedAsync(item, stopped, llmCost).ConfigureAwait(false);
                }
                if (!written.Succeeded || string.IsNullOrWhiteSpace(written.Text))
                {
                    var error = $"The LLM could not write the image prompt: {written.ErrorMessage ?? "it answered with no text"}";
                    return await RecordAsync(item, Failed(item, null, error), llmCost).ConfigureAwait(false);
                }
                prompt = Compose(_stage._ws.Settings.ImageStylePrefix, written.Text.Trim());
            }
            else
            {
                // The chapter's own prompt, or the one an earlier attempt wrote for this same chapter (no second LLM call).
                prompt = item.ReusablePrompt ?? Compose(_stage._ws.Settings.ImageStylePrefix, chapter.ImagePrompt!);
            }

            var profile = _plan.Profile;
            if (_ledger.TryReserve(profile.EstimatedCostUsd) is not { } reserved)
            {
                return await RecordAsync(item, CostLimited(item) with { Prompt = prompt, ChapterHash = item.ChapterHash }, llmCost).ConfigureAwait(false);
            }
            var request = profile.ToRequest(prompt);
            var intent = WithTotals(totals => _stage._journal.Intend(_episodeId, item, reserved, totals));
            InternalHooks.KillPoint(KillPoints.AfterIntent, chapter.ChapterId);
            ImageGenResult result;
            try
            {
                result = await _images!.GenerateImageAsync(request, ct).ConfigureAwait(false);
            }
            catch
            {
                _ledger.Settle(reserved, 0); // cancelled before an answer: nothing billed that we know of
                throw;
            }
            InternalHooks.KillPoint(KillPoints.AfterAnswer, chapter.ChapterId);
            _ledger.Settle(reserved, result.CostUsd);
            Interlocked.Add(ref _inputTokens, result.InputTokens ?? 0);
            Interlocked.Add(ref _outputTokens, result.OutputTokens ?? 0);
            var cost = llmCost + result.CostUsd;
            if (StopFor(result.Outcome, result.ErrorMessage) is { } stoppedByImage)
            {
                var notAttempted = await NotAttemptedAsync(item, stoppedByImage, cost, prompt).ConfigureAwait(false);
                _stage._journal.Remove(intent);
                return notAttempted;
            }
            if (!result.Succeeded || result.Png is null)
            {
                var error = $"{result.Outcome}: {result.ErrorMessage}";
                var failed = Failed(item, request.Prompt, error) with { RevisedPrompt = result.RevisedPrompt, CostEstimated = result.CostEstimated };
                var recordedFailure = await RecordAsync(item, failed, cost, result.Attempts).ConfigureAwait(false);
                _stage._journal.Remove(intent);
                return recordedFailure;
            }

            var image = _paths.ImageFile(_episodeId, chapter.ChapterId);
            var entry = new ManifestEntry
            {
                ChapterId = chapter.ChapterId,
                VisualType = chapter.VisualType.ToString(),
                Status = ImageStatus.Generated,
                Prompt = request.Prompt,
                RevisedPrompt = result.RevisedPrompt,
                Model = profile.Model,
                Size = $"{ImageNormalizer.TargetWidth}x{ImageNormalizer.TargetHeight}",
                SourceSize = result.SourceSize,
                Quality = profile.Quality,
                FilePath = _paths.RelativeToEpisode(_episodeId, image),
                GeneratedAt = Timestamps.Format(Time.GetUtcNow()),
                ChapterHash = item.ChapterHash,
                CostUsd = cost,
                CostEstimated = result.CostEstimated,
                InputTokens = result.InputTokens,
                OutputTokens = result.OutputTokens,
            };
            var asset = new NewMediaAsset(_episodeId, chapter.ChapterId, "image", entry.FilePath!, "image/png", result.Png.LongLength,
                new Dictionary<string, object?>
                {
                    ["prompt"] = entry.Prompt,
                    ["revised_prompt"] = entry.RevisedPrompt,
                    ["model"] = entry.Model,
                    ["size"] = entry.Size,
                    ["requested_size"] = profile.Size,
                    ["source_size"] = entry.SourceSize,
                    ["quality"] = entry.Quality,
                    ["cost_usd"] = cost,
                    ["cost_estimated"] = result.CostEstimated,
                    ["text_input_tokens"] = result.Usage?.TextInputTokens,
                    ["image_input_tokens"] = result.Usage?.ImageInputTokens,
                    ["output_tokens"] = result.OutputTokens,
                    ["chapter_hash"] = entry.ChapterHash,
                    ["attempts"] = result.Attempts,
                },
                chapter.ImagePrompt is null ? _plan.PromptVersion.Id : null);

            // Journaled before it becomes visible, so that a kill from here on leaves an image the next run adopts.
            await _stage._journal.StageAsync(_episodeId, chapter.ChapterId, result.Png).ConfigureAwait(false);
            WithTotals(totals =>
            {
                _stage._journal.Deliver(intent, result.Png, entry, asset, totals);
                return true;
            });
            InternalHooks.KillPoint(KillPoints.AfterDelivery, chapter.ChapterId);
            _stage._journal.Place(_episodeId, chapter.ChapterId);
            InternalHooks.KillPoint(KillPoints.AfterPng, chapter.ChapterId);
            _stage._assets.Replace(asset);
            InternalHooks.KillPoint(KillPoints.AfterAssetRow, chapter.ChapterId);
            var recorded = await RecordAsync(item, entry, cost, result.Attempts).ConfigureAwait(false);
            InternalHooks.KillPoint(KillPoints.AfterManifest, chapter.ChapterId);
            _stage._journal.Remove(intent);
            return recorded;
        }

        /// <summary>
        /// Records the image a killed run was delivered, from the journal, with no call: the same media_assets row
        /// and manifest entry that run was writing. Null when its PNG has gone meanwhile (the chapter is generated).
        /// </summary>
        private async Task<ImageGenChapterResult?> AdoptAsync(PlannedChapter item)
        {
            var delivery = item.JournaledDelivery!;
            if (_stage._journal.Adopt(delivery) is not { } adopted)
            {
                return null;
            }
            _stage._assets.Replace(adopted.Asset);
            // This run spent nothing on it; the entry keeps what the killed run paid, which stays on that run's row.
            var result = await RecordAsync(item, adopted.Entry, cost: 0).ConfigureAwait(false);
            _stage._journal.Remove(delivery.Id);
            return result;
        }

        /// <summary>The first answer no retry can fix stops the run: no chapter after it is attempted.</summary>
        private BtceduException? StopFor(Enum outcome, string? message)
        {
            var (id, kind) = outcome.ToString() switch
            {
                nameof(ImageGenOutcome.KeyRejected) => ("ApiKeyRejected", BtceduErrorKind.AuthenticationError),
                nameof(ImageGenOutcome.QuotaExhausted) => ("QuotaExhausted", BtceduErrorKind.LimitsExceeded),
                nameof(ImageGenOutcome.ModelUnavailable) => (outcome is TextGenOutcome ? "LlmModelUnavailable" : "ImageModelUnavailable", BtceduErrorKind.ResourceUnavailable),
                _ => ((string?)null, BtceduErrorKind.NotSpecified),
            };
            if (id is null)
            {
                return null;
            }
            var stop = new BtceduException(id, kind,
                $"Episode '{_episodeId}': the run stopped, because no retry can fix this answer: {message} Chapters not finished keep their previous state.", _episodeId);
            Interlocked.CompareExchange(ref _stoppedBy, stop, null);
            return _stoppedBy;
        }

        /// <summary>A chapter the stopped run did not finish: its manifest entry stays as it was; its spending still counts.</summary>
        private async Task<ImageGenChapterResult> NotAttemptedAsync(PlannedChapter item, BtceduException stop, decimal cost = 0, string? prompt = null)
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                var current = _manifest[item.Chapter.ChapterId];
                if (prompt is not null && current.Status != ImageStatus.Generated)
                {
                    // Keep the prompt already paid for, so the next run does not buy it again.
                    _manifest[item.Chapter.ChapterId] = current with { Prompt = prompt, ChapterHash = item.ChapterHash };
                }
                SaveTotals();
            }
            finally
            {
                _gate.Release();
            }
            return Result(item, ImageStatus.Skipped, cost, null, $"not attempted: the run stopped ({stop.ErrorId})", 0);
        }

        /// <summary>
        /// The run's totals as of now (<see cref="RunTotals"/>), written under one lock so that concurrent workers never
        /// overwrite newer totals with older ones.
        /// </summary>
        private T WithTotals<T>(Func<RunTotals, T> write)
        {
            lock (_totalsGate)
            {
                return write(Totals());
            }
        }

        private RunTotals Totals() => new(_runId, Interlocked.Read(ref _inputTokens), Interlocked.Read(ref _outputTokens), _ledger.RunCommitted);

        private void SaveTotals() => WithTotals(t =>
        {
            _stage._runs.UpdateTotals(t.RunId, t.InputTokens, t.OutputTokens, t.CostUsd);
            return true;
        });

        /// <summary>Puts a finished chapter into the manifest (written at once, atomically) and the run's totals.</summary>
        private async Task<ImageGenChapterResult> RecordAsync(PlannedChapter item, ManifestEntry entry, decimal cost, int attempts = 0)
        {
            if (entry.Status != ImageStatus.Generated)
            {
                entry = entry with { CostUsd = cost }; // the entry describes this attempt, not the image kept from before
            }
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                _manifest[item.Chapter.ChapterId] = entry;
                await WriteManifestAsync().ConfigureAwait(false);
                SaveTotals();
            }
            finally
            {
                _gate.Release();
            }
            if (entry.Status == ImageStatus.Failed)
            {
                await _events.WriteAsync(new RunMessage($"{item.Chapter.ChapterId}: {entry.Error}", IsWarning: false)).ConfigureAwait(false);
            }
            return Result(item, entry.Status, cost, entry.Error, entry.Reason ?? (entry.Status == ImageStatus.Generated ? item.Reason : null), attempts);
        }

        // The plan was made under the lock from the manifest on disk, so that copy is still current.
        private bool ManifestDiffers() =>
            _plan.Manifest is null || !_plan.Manifest.Images.SequenceEqual(_plan.Items.Select(i => _manifest[i.Chapter.ChapterId]));

        private Task WriteManifestAsync() =>
            BtceduJson.WriteAsync(_paths.ManifestFile(_episodeId), new ImageManifest(_episodeId, ImageManifest.CurrentSchemaVersion,
                Timestamps.Format(Time.GetUtcNow()), _plan.Items.Select(i => _manifest[i.Chapter.ChapterId]).ToList()));

        /// <summary>Emits every finished result that is next in chapter order.</summary>
        private async Task EmitReadyAsync()
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                while (_nextToEmit < _results.Length && _results[_nextToEmit] is { } ready)
                {
                    if (_plan.Items[_nextToEmit].InScope)
                    {
                        await _events.WriteAsync(new ChapterCompleted(ready)).ConfigureAwait(false);
                    }
                    _nextToEmit++;
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task<ImageGenSummary> FinishAsync(bool cancelled)
        {
            // Only chapters in this run's scope count; the others were carried over, not looked at.
            var results = _results.Where((r, i) => r is not null && _plan.Items[i].InScope).Select(r => r!).ToList();
            int Count(ImageStatus s) => results.Count(r => r.Status == s);
            var generated = Count(ImageStatus.Generated);
            var unchanged = Count(ImageStatus.Unchanged);
            var failed = Count(ImageStatus.Failed);
            var limited = Count(ImageStatus.CostLimited);
            var attempted = generated + failed;
            var spent = _ledger.RunSpent;
            var episodes = _stage._ws.Episodes;

            EpisodeStatus status;
            string runStatus;
            var stoppedBy = Volatile.Read(ref _stoppedBy);
            if (cancelled)
            {
                (status, runStatus) = (_plan.Episode.Status, PipelineRunStatus.Cancelled);
            }
            else if (stoppedBy is not null)
            {
                (status, runStatus) = (_plan.Episode.Status, PipelineRunStatus.Failed);
            }
            else if (limited > 0)
            {
                (status, runStatus) = (EpisodeStatus.COST_LIMIT, PipelineRunStatus.CostLimited);
            }
            else if (attempted > 0 && generated == 0 && unchanged == 0)
            {
                (status, runStatus) = (_plan.Episode.Status, PipelineRunStatus.Failed);
            }
            else
            {
                (status, runStatus) = (EpisodeStatus.IMAGES_GENERATED, failed > 0 ? PipelineRunStatus.Partial : PipelineRunStatus.Success);
            }

            var failedChapters = results.Where(r => r.Status == ImageStatus.Failed).Select(r => r.ChapterId).ToList();
            if (!cancelled)
            {
                // Every chapter now matches its image: their markers (and the stage's, when all are satisfied) are done.
                foreach (var r in results.Where(r => r.Status is ImageStatus.Generated or ImageStatus.Unchanged))
                {
                    StaleMarker.Clear(_paths.ImageFile(_episodeId, r.ChapterId));
                }
                var allSatisfied = _plan.Items.All(i => i.Decision == ChapterDecision.Skip
                    || results.Any(r => r.ChapterId == i.Chapter.ChapterId && r.Status is ImageStatus.Generated or ImageStatus.Unchanged));
                if (allSatisfied)
                {
                    StaleMarker.Clear(_paths.ManifestFile(_episodeId));
                }
                if (generated > 0)
                {
                    _stage._ws.Invalidation.InvalidateDownstream(_episodeId, Stage.imagegen, $"{generated} image(s) regenerated");
                }
            }

            // A run that called nothing writes only what is missing or out of date: an idempotent re-run touches no file.
            var duration = Time.GetElapsedTime(_startedTicks);
            if (_runId != 0 || ManifestDiffers())
            {
                await WriteManifestAsync().ConfigureAwait(false);
            }
            if (_runId != 0 || !File.Exists(_paths.ImageGenProvenanceFile(_episodeId)))
            {
                await WriteProvenanceAsync(results, spent, duration).ConfigureAwait(false);
            }
            if (_runId != 0)
            {
                var error = stoppedBy is not null ? stoppedBy.Message
                    : limited > 0 ? $"cost cap of ${_plan.MaxCostUsd.ToString(CultureInfo.InvariantCulture)} reached; {limited} chapter(s) not generated"
                    : failed > 0 ? $"{failed} chapter(s) failed: {string.Join(", ", failedChapters)}" : null;
                _stage._runs.Complete(_runId, runStatus, Interlocked.Read(ref _inputTokens), Interlocked.Read(ref _outputTokens), spent, error);
            }
            if (status != _plan.Episode.Status)
            {
                episodes.SetStatus(_episodeId, status, status == EpisodeStatus.COST_LIMIT ? "image generation stopped at the cost cap" : null);
            }

            return new ImageGenSummary
            {
                EpisodeId = _episodeId,
                Generated = generated,
                Unchanged = unchanged,
                Skipped = Count(ImageStatus.Skipped),
                Failed = failed,
                CostLimited = limited,
                CostUsd = spent,
                InputTokens = Interlocked.Read(ref _inputTokens),
                OutputTokens = Interlocked.Read(ref _outputTokens),
                Duration = duration,
                EpisodeStatus = status,
                RunStatus = runStatus,
                MaxCostUsd = _plan.MaxCostUsd,
                FailedChapters = failedChapters,
                StoppedBy = stoppedBy,
            };
        }

        private Task WriteProvenanceAsync(IReadOnlyList<ImageGenChapterResult> results, decimal spent, TimeSpan duration)
        {
            var p = _plan;
            var provenance = new ImageGenProvenance
            {
                EpisodeId = _episodeId,
                Timestamp = Timestamps.Format(Time.GetUtcNow()),
                PromptName = p.Template.Name,
                PromptVersion = p.PromptVersion.Version,
                PromptHash = p.Template.ContentHash,
                Model = p.Profile.Model,
                ModelParams = new Dictionary<string, object?>
                {
                    ["size"] = p.Profile.Size,
                    ["quality"] = p.Profile.Quality,
                    ["style"] = p.Profile.Style,
                    ["output_size"] = $"{ImageNormalizer.TargetWidth}x{ImageNormalizer.TargetHeight}",
                    ["style_prefix"] = _stage._ws.Settings.ImageStylePrefix,
                    ["llm_model"] = _stage._ws.Settings.LlmModel,
                    ["llm_temperature"] = p.Template.Temperature,
                    ["llm_max_tokens"] = p.Template.MaxTokens,
                    ["throttle_limit"] = p.ThrottleLimit,
                    ["max_episode_cost_usd"] = p.MaxCostUsd,
                },
                InputFiles = ["chapters.json", "prompts/imagegen.md"],
                InputContentHash = p.Chapters.ContentHash,
                OutputFiles = [.. results.Where(r => r.Path is not null).Select(r => _paths.RelativeToEpisode(_episodeId, r.Path!)), "images/manifest.json"],
                InputTokens = Interlocked.Read(ref _inputTokens),
                OutputTokens = Interlocked.Read(ref _outputTokens),
                CostUsd = spent,
                DurationSeconds = Math.Round(duration.TotalSeconds, 3),
                Chapters = new Dictionary<string, int>
                {
                    ["total"] = p.Items.Count,
                    ["generated"] = results.Count(r => r.Status == ImageStatus.Generated),
                    ["unchanged"] = results.Count(r => r.Status == ImageStatus.Unchanged),
                    ["skipped"] = results.Count(r => r.Status == ImageStatus.Skipped),
                    ["failed"] = results.Count(r => r.Status == ImageStatus.Failed),
                    ["cost_limited"] = results.Count(r => r.Status == ImageStatus.CostLimited),
                },
            };
            return BtceduJson.WriteAsync(_paths.ImageGenProvenanceFile(_episodeId), provenance);
        }

        private ManifestEntry InitialEntry(PlannedChapter item) => item.Decision switch
        {
            ChapterDecision.Skip => Blank(item, ImageStatus.Skipped) with { Reason = item.Reason },
            // Kept images and chapters outside the selection carry their entry over untouched.
            _ when item.Previous is not null => item.Previous,
            _ => Blank(item, ImageStatus.Skipped) with { Reason = "no image yet: " + item.Reason },
        };

        private ImageGenChapterResult ResultWithoutWork(PlannedChapter item)
        {
            var image = _paths.ImageFile(_episodeId, item.Chapter.ChapterId);
            return item.Decision switch
            {
                ChapterDecision.UpToDate => Result(item, ImageStatus.Unchanged, 0, null, item.Reason, 0),
                ChapterDecision.NotSelected => Result(item, _manifest[item.Chapter.ChapterId].Status == ImageStatus.Generated && File.Exists(image) ? ImageStatus.Unchanged : ImageStatus.Skipped, 0, null, item.Reason, 0),
                _ => Result(item, ImageStatus.Skipped, 0, null, item.Reason, 0),
            };
        }

        private ImageGenChapterResult Result(PlannedChapter item, ImageStatus status, decimal cost, string? error, string? reason, int attempts)
        {
            var image = _paths.ImageFile(_episodeId, item.Chapter.ChapterId);
            return new ImageGenChapterResult
            {
                EpisodeId = _episodeId,
                ChapterId = item.Chapter.ChapterId,
                Order = item.Chapter.Order,
                VisualType = item.Chapter.VisualType,
                Status = status,
                CostUsd = cost,
                Path = File.Exists(image) && status != ImageStatus.Skipped ? image : null,
                Error = error,
                Reason = reason,
                Attempts = attempts,
            };
        }

        private static ManifestEntry Blank(PlannedChapter item, ImageStatus status) =>
            new() { ChapterId = item.Chapter.ChapterId, VisualType = item.Chapter.VisualType.ToString(), Status = status };

        private ManifestEntry CostLimited(PlannedChapter item) => (item.Previous ?? Blank(item, ImageStatus.CostLimited)) with
        {
            Status = ImageStatus.CostLimited,
            Reason = string.Create(CultureInfo.InvariantCulture, $"the next call would pass the episode's cost cap of ${_plan.MaxCostUsd}"),
            Error = null,
        };

        private static ManifestEntry Failed(PlannedChapter item, string? prompt, string error) => (item.Previous ?? Blank(item, ImageStatus.Failed)) with
        {
            Status = ImageStatus.Failed,
            Prompt = prompt ?? item.Previous?.Prompt,
            // The hash the prompt was written for, so a retry of this unchanged chapter reuses it.
            ChapterHash = prompt is null ? item.Previous?.ChapterHash : item.ChapterHash,
            Error = error,
            Reason = null,
        };

        private static string Compose(string stylePrefix, string prompt) =>
            string.IsNullOrWhiteSpace(stylePrefix) ? prompt : stylePrefix.Trim() + " " + prompt;
    }
}
