using Btcedu.Core.OpenAi;
using Btcedu.Core.Imaging;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The run's API stage for one chapter, the part of its work that holds one of the run's API slots: adopt what a killed run was delivered, or get
/// the prompt, reserve the image's estimate, journal the intent, call the service and save its answer. An image the
/// API answered with leaves as an <see cref="AnsweredImage"/> for the local stage (<see cref="LocalStage"/>), so decoding, encoding and
/// writing never keep the next call waiting; every other outcome is recorded here.
/// </summary>
internal sealed class ApiStage
{
    private readonly RunState _run;
    private readonly ManifestRecorder _manifest;
    private readonly PromptWriter _prompts;
    private readonly LocalStage _local;
    private readonly IImageGenService? _images;

    public ApiStage(RunState run, ManifestRecorder manifest, PromptWriter prompts, LocalStage local, IImageGenService? images)
    {
        _run = run;
        _manifest = manifest;
        _prompts = prompts;
        _local = local;
        _images = images;
    }

    /// <summary>The chapter's result, or the image the API answered with (still to be placed).</summary>
    public async Task<ApiStep> CallAsync(PlannedChapter item, CancellationToken ct)
    {
        using var subject = Workspace.LogContext.Begin($"{_run.EpisodeId}/{item.Chapter.ChapterId}"); // names retries and pauses
        try
        {
            return await GenerateAsync(item, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be written (a prompt, an adopted image) fails its chapter, not the run.
            return new(await _manifest.RecordAsync(item, ManifestEntries.NotWritten(item, e), 0).ConfigureAwait(false));
        }
    }

    private async Task<ApiStep> GenerateAsync(PlannedChapter item, CancellationToken ct)
    {
        // What a killed run was delivered is free, so neither a stopped run nor the cap holds it back.
        if (await _local.TryAdoptAsync(item).ConfigureAwait(false) is { } adopted)
        {
            return adopted; // a damaged saved answer falls through to a call
        }
        if (_run.StoppedBy is { } stop)
        {
            return new(NotAttempted(item, stop));
        }
        if (_run.Ledger.Closed)
        {
            return new(await _manifest.RecordAsync(item, ManifestEntries.CostLimited(item, _run.Plan.MaxCostUsd), cost: 0).ConfigureAwait(false));
        }

        var written = await _prompts.WriteAsync(item, ct).ConfigureAwait(false);
        if (written.Stop is { } stopped)
        {
            return new(NotAttempted(item, stopped, written.CostUsd));
        }
        if (written.CostLimited)
        {
            return new(await _manifest.RecordAsync(item, ManifestEntries.CostLimited(item, _run.Plan.MaxCostUsd), cost: 0).ConfigureAwait(false));
        }
        if (written.Error is { } error)
        {
            return new(await _manifest.RecordAsync(item, ManifestEntries.Failed(item, null, error), written.CostUsd).ConfigureAwait(false));
        }
        var prompt = written.Prompt!;
        var llmCost = written.CostUsd;

        var profile = _run.Plan.Profile;
        if (_run.Ledger.TryReserve(profile.EstimatedCostUsd) is not { } firstReservation)
        {
            return new(await _manifest.RecordAsync(item, ManifestEntries.CostLimited(item, _run.Plan.MaxCostUsd) with { Prompt = prompt, ChapterHash = item.ChapterHash }, llmCost).ConfigureAwait(false));
        }
        var reserved = firstReservation;
        var request = profile.ToRequest(prompt) with
        {
            // A timed-out attempt counts at the estimate, so each retry after one reserves another first (or is not made).
            CoverRetryAfterTimeout = () =>
            {
                if (_run.Ledger.TryReserve(profile.EstimatedCostUsd) is not { } more)
                {
                    return false;
                }
                reserved += more; // retries are sequential: nothing else touches it until the call returns
                _run.SaveTotals(); // a kill during the retry still counts it
                return true;
            },
        };
        var intent = _run.WithTotals(totals => _run.Journal.Intend(_run.EpisodeId, item, reserved, totals));
        InternalHooks.KillPoint(KillPoints.AfterIntent, item.Chapter.ChapterId);
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
        InternalHooks.KillPoint(KillPoints.AfterAnswer, item.Chapter.ChapterId);
        _run.Ledger.Settle(reserved, result.CostUsd);
        _run.AddTokens(result.InputTokens, result.OutputTokens);
        var cost = llmCost + result.CostUsd;
        if (_run.StopFor(result.Outcome, result.ErrorMessage) is { } stoppedByImage)
        {
            var notAttempted = NotAttempted(item, stoppedByImage, cost, prompt);
            _run.Journal.Remove(intent);
            return new(notAttempted);
        }
        if (!result.Succeeded || result.Image is null)
        {
            var failed = ManifestEntries.FailedCall(item, request, result, $"{result.Outcome}: {result.ErrorMessage}");
            return new(await _manifest.RecordAsync(item, failed, cost, result.Attempts, intent, result.Outcome).ConfigureAwait(false));
        }
        var answer = new JournaledAnswer
        {
            Prompt = request.Prompt, RevisedPrompt = result.RevisedPrompt, Usage = result.Usage, ImageCostUsd = result.CostUsd,
            CostEstimated = result.CostEstimated, Attempts = result.Attempts, CostUsd = cost,
        };
        await _run.Journal.SaveAnswerAsync(_run.EpisodeId, item.Chapter.ChapterId, result.Image).ConfigureAwait(false);
        _run.WithTotals(totals =>
        {
            _run.Journal.Answer(intent, result.Image, answer, totals);
            return true;
        });
        InternalHooks.KillPoint(KillPoints.AfterAnswerSaved, item.Chapter.ChapterId);
        return new(Answered: new AnsweredImage(item, request, result, intent, cost));
    }

    /// <summary>A chapter the stopped run did not finish: its manifest entry stays as it was; its spending still counts.</summary>
    private ImageGenChapterResult NotAttempted(PlannedChapter item, BtceduException stop, decimal cost = 0, string? prompt = null)
    {
        _manifest.KeepPrompt(item, prompt);
        return _run.Result(item, ImageStatus.Skipped, cost, null, $"not attempted: the run stopped ({stop.ErrorId})");
    }
}

/// <summary>What a chapter's API part leaves: its result, or an image still to be placed by the local stage.</summary>
internal sealed record ApiStep(ImageGenChapterResult? Result = null, AnsweredImage? Answered = null);

/// <summary>
/// An image the API answered with, saved as delivered and journaled, not yet decoded or placed. <see cref="Cost"/> is
/// what it cost; an image adopted from a killed run's answer cost this run nothing (<see cref="Adopted"/>).
/// </summary>
internal sealed record AnsweredImage(PlannedChapter Item, ImageGenRequest Request, ImageGenResult Result, long Intent, decimal Cost, bool Adopted = false, string? Reason = null)
{
    /// <summary>What this run spent on it.</summary>
    public decimal RunCost => Adopted ? 0 : Cost;
}
