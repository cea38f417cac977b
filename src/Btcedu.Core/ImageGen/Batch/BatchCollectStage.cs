using Btcedu.Core.Imaging;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Storage;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// What the API stage is to a synchronous run, for a batch's collect: each chapter's result comes from the batch's
/// files instead of a call. An image is journaled as answered (settling its request's reservation at the Batch
/// API's price, in the same transaction) and handed to the same local stage; an errored line fails its chapter
/// with its reason; an expired or cancelled request releases its reservation and leaves its chapter for the next
/// submit. What a killed collect journaled is adopted, as after a killed run; a result already settled is placed
/// again from the files at no cost.
/// </summary>
internal sealed class BatchCollectStage
{
    private readonly RunState _run;
    private readonly ManifestRecorder _manifest;
    private readonly LocalStage _local;
    private readonly BatchCollection _batch;
    private readonly ImageBatchStore _store;
    private int _placed;

    public BatchCollectStage(RunState run, ManifestRecorder manifest, LocalStage local, BatchCollection batch)
    {
        _run = run;
        _manifest = manifest;
        _local = local;
        _batch = batch;
        _store = new ImageBatchStore(run.Services.Database);
    }

    public async Task<ApiStep> CollectAsync(PlannedChapter item, CancellationToken ct)
    {
        using var subject = Workspace.LogContext.Begin($"{_run.EpisodeId}/{item.Chapter.ChapterId}");
        if (Interlocked.Increment(ref _placed) == 2)
        {
            InternalHooks.KillPoint(KillPoints.CollectMidFile, _run.EpisodeId); // one result handed on, the next not yet
        }
        if (await _local.TryAdoptAsync(item).ConfigureAwait(false) is { } adopted)
        {
            return adopted; // what a killed collect journaled
        }
        var request = _batch.RequestFor(item.Chapter.ChapterId)!;
        var pending = request.State == ImageBatchRequestStates.Pending;
        var batchName = _batch.Batch.BatchId ?? _batch.Batch.Key;
        if (!_batch.Lines.TryGetValue(request.CustomId, out var line) || line.Expired)
        {
            var state = _batch.FinalStatus == "cancelled" ? ImageBatchRequestStates.Cancelled : ImageBatchRequestStates.Expired;
            Release(request, state);
            return new(_run.Result(item, ImageStatus.Skipped, reason: $"{state} in batch {batchName} before it ran: not billed; the next submit (or a synchronous run) makes it"));
        }
        var call = _run.Plan.Profile.ToRequest(request.Prompt);
        var result = line.Result;
        if (!result.Succeeded)
        {
            Release(request, ImageBatchRequestStates.Failed);
            var failed = ManifestEntries.FailedCall(item, call, result, $"{result.Outcome}: {result.ErrorMessage}") with { Reason = $"failed in batch {batchName}" };
            return new(await _manifest.RecordAsync(item, failed, 0, result.Attempts, null, result.Outcome).ConfigureAwait(false));
        }
        var answer = new JournaledAnswer
        {
            Prompt = request.Prompt, RevisedPrompt = result.RevisedPrompt, Usage = result.Usage, ImageCostUsd = result.CostUsd,
            CostEstimated = result.CostEstimated, Attempts = result.Attempts, CostUsd = result.CostUsd,
        };
        var intent = _run.WithTotals(totals => _run.Journal.Intend(_run.EpisodeId, item, pending ? request.ReservedUsd : 0, totals));
        await _run.Journal.SaveAnswerAsync(_run.EpisodeId, item.Chapter.ChapterId, result.Image!).ConfigureAwait(false);
        if (pending)
        {
            _run.Ledger.Settle(request.ReservedUsd, result.CostUsd);
            _run.AddTokens(result.InputTokens, result.OutputTokens);
        }
        _run.WithTotals(totals =>
        {
            _run.Journal.Answer(intent, result.Image!, answer, totals, pending ? (request.Batch, request.CustomId) : null);
            return true;
        });
        // Settled before (a killed collect): the row holds its price already, so this run places it at no cost.
        return new(Answered: new AnsweredImage(item, call, result, intent, result.CostUsd, Adopted: !pending, Reason: $"collected from batch {batchName}"));
    }

    private void Release(ImageBatchRequestRow request, string state)
    {
        if (request.State != ImageBatchRequestStates.Pending)
        {
            return;
        }
        _run.Ledger.Settle(request.ReservedUsd, 0);
        _run.WithTotals(totals =>
        {
            _store.Release(request.Batch, request.CustomId, state, totals);
            return true;
        });
    }
}
