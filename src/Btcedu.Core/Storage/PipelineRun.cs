using Btcedu.Core.Episodes;
namespace Btcedu.Core.Storage;

/// <summary>A row of <c>pipeline_runs</c>: one execution of a stage for an episode.</summary>
public sealed record PipelineRun(
    long Id,
    string EpisodeId,
    string Stage,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    long InputTokens,
    long OutputTokens,
    decimal EstimatedCostUsd,
    string? ErrorMessage);

public static class PipelineRunStatus
{
    public const string Running = "running";
    public const string Success = "success";
    public const string Partial = "partial";
    public const string Failed = "failed";
    public const string CostLimited = "cost_limited";
    public const string Cancelled = "cancelled";
    /// <summary>The run was killed before it could record its end; what it spent is kept.</summary>
    public const string Interrupted = "interrupted";
    /// <summary>A submitted batch not yet collected: its row holds every request's reservation (or settled price) against the cap.</summary>
    public const string Batch = "batch";
}
