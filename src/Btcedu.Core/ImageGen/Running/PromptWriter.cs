using Btcedu.Core.OpenAi;
using Btcedu.Core.Llm;

namespace Btcedu.Core.ImageGen;

/// <summary>What came of getting a chapter's prompt: the prompt, or why there is none, and what the LLM cost.</summary>
internal sealed record WrittenPrompt(string? Prompt, decimal CostUsd, bool CostLimited = false, BtceduException? Stop = null, string? Error = null);

/// <summary>
/// A chapter's image prompt, style prefix included: its own prompt; the one an earlier attempt wrote for the very
/// same chapter, template and settings (no second LLM call); or one the LLM writes now, its most reserved first.
/// </summary>
internal sealed class PromptWriter
{
    private readonly RunState _run;
    private readonly ITextGenService? _text;

    public PromptWriter(RunState run, ITextGenService? text)
    {
        _run = run;
        _text = text;
    }

    public async Task<WrittenPrompt> WriteAsync(PlannedChapter item, CancellationToken ct)
    {
        var prefix = _run.Services.Settings.ImageStylePrefix;
        if (!item.NeedsLlm)
        {
            return new WrittenPrompt(item.BatchPrompt ?? item.ReusablePrompt ?? Compose(prefix, item.Chapter.ImagePrompt!), 0);
        }

        var plan = _run.Plan;
        var request = PromptRequest.For(plan.Template, plan.Chapters.Document.Title, item.Chapter, plan.Llm!.Name);
        if (_run.Ledger.TryReserve(request.MaxCostUsd(plan.Llm)) is not { } reservation)
        {
            return new WrittenPrompt(null, 0, CostLimited: true);
        }
        _run.SaveTotals(); // the reservation counts even if the process dies during the call
        TextGenResult written;
        try
        {
            written = await _text!.CompleteAsync(request, ct).ConfigureAwait(false);
        }
        catch
        {
            _run.Ledger.Settle(reservation, 0); // cancelled before an answer
            throw;
        }
        _run.Ledger.Settle(reservation, written.CostUsd);
        _run.AddTokens(written.InputTokens, written.OutputTokens);
        if (_run.StopFor(written.Outcome, written.ErrorMessage, fromLlm: true) is { } stop)
        {
            return new WrittenPrompt(null, written.CostUsd, Stop: stop);
        }
        if (!written.Succeeded || string.IsNullOrWhiteSpace(written.Text))
        {
            return new WrittenPrompt(null, written.CostUsd, Error: $"The LLM could not write the image prompt: {written.ErrorMessage ?? "it answered with no text"}");
        }
        return new WrittenPrompt(Compose(prefix, written.Text.Trim()), written.CostUsd);
    }

    private static string Compose(string stylePrefix, string prompt) =>
        string.IsNullOrWhiteSpace(stylePrefix) ? prompt : stylePrefix.Trim() + " " + prompt;
}
