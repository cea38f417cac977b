using Btcedu.Core.Episodes;

namespace Btcedu.Core.ImageGen;

/// <summary>How a run ended, for the one-line summary and the error when the cap stopped it.</summary>
public sealed record ImageGenSummary
{
    public required string EpisodeId { get; init; }
    public required int Generated { get; init; }
    public required int Unchanged { get; init; }
    public required int Skipped { get; init; }
    public required int Failed { get; init; }
    public required int CostLimited { get; init; }
    public required decimal CostUsd { get; init; }
    public required long InputTokens { get; init; }
    public required long OutputTokens { get; init; }
    public required TimeSpan Duration { get; init; }
    public required EpisodeStatus EpisodeStatus { get; init; }
    public required string RunStatus { get; init; }
    public required decimal MaxCostUsd { get; init; }
    public required IReadOnlyList<string> FailedChapters { get; init; }
    /// <summary>
    /// Set when an answer no retry can fix (key rejected, quota exhausted, model unavailable) stopped the run: the
    /// chapters it did not finish keep their previous state and the episode's status is unchanged.
    /// </summary>
    public BtceduException? StoppedBy { get; init; }

    /// <summary>The errors that end the run for a script: the answer that stopped it, and the cost cap.</summary>
    public IEnumerable<BtceduException> Errors()
    {
        if (StoppedBy is not null)
        {
            yield return StoppedBy;
        }
        if (CostLimited > 0)
        {
            yield return new BtceduException("CostLimitExceeded", BtceduErrorKind.LimitsExceeded, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Episode '{EpisodeId}' reached its cost cap of ${MaxCostUsd:0.000}: {CostLimited} chapter(s) were not generated and the episode is COST_LIMIT. Raise max_episode_cost_usd (or pass -MaxCostUsd) and run again."), EpisodeId);
        }
    }

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{EpisodeId}: {Generated} generated, {Unchanged} unchanged, {Skipped} skipped, {Failed} failed{(CostLimited > 0 ? $", {CostLimited} cost-limited" : "")}{(StoppedBy is null ? "" : $", stopped ({StoppedBy.ErrorId})")}; ${CostUsd:0.000} spent in {Duration.TotalSeconds:0.0}s; status {EpisodeStatus}.");
}
