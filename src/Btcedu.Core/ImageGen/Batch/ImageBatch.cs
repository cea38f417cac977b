using Btcedu.Core.Storage;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// One batch of an episode's chapter images on OpenAI's Batch API, as the workspace knows it (Get-BtceduImageBatch
/// refreshes it from OpenAI first). <see cref="Id"/> is OpenAI's batch id, or null while a killed submit left it
/// uncreated (the next submit finds or creates it). <see cref="Status"/> is OpenAI's (validating, in_progress,
/// finalizing, completed, failed, expired, cancelling, cancelled) or the local intended / uploaded before it.
/// </summary>
public sealed record ImageBatch
{
    public string? Id { get; init; }
    public required string EpisodeId { get; init; }
    public required string Status { get; init; }
    public required int Requests { get; init; }
    public required int Completed { get; init; }
    public required int Failed { get; init; }
    /// <summary>What the batch holds against the episode's cap: each request's reservation at the Batch API's price until its result settles it.</summary>
    public required decimal ReservedUsd { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<string> ChapterIds { get; init; }
    /// <summary>Whether its results are in the workspace (or it ended with none to collect).</summary>
    public required bool Collected { get; init; }
    /// <summary>The workspace's own name for it, also its metadata on OpenAI (btcedu_key).</summary>
    public required string Key { get; init; }
    public string? Error { get; init; }
    /// <summary>Chapters the submit left out because the cap could not cover them (the cmdlet writes CostLimitExceeded).</summary>
    public IReadOnlyList<string> CostLimitedChapterIds { get; init; } = [];

    /// <summary>Whether OpenAI will not change it any more.</summary>
    public bool Finished => Status is "completed" or "failed" or "expired" or "cancelled";

    internal static ImageBatch From(ImageBatchRow row, IReadOnlyList<ImageBatchRequestRow> requests) => new()
    {
        Id = row.BatchId, EpisodeId = row.EpisodeId, Status = row.Status, Requests = row.Requests, Completed = row.Completed, Failed = row.Failed,
        ReservedUsd = requests.Where(r => r.State == ImageBatchRequestStates.Pending).Sum(r => r.ReservedUsd),
        SubmittedAt = row.SubmittedAt, ExpiresAt = row.ExpiresAt, Model = row.Model, ChapterIds = [.. requests.Select(r => r.ChapterId)],
        Collected = row.CollectedAt is not null, Key = row.Key, Error = row.Error,
    };
}

/// <summary>What receiving an episode's batches did: each collected batch's run summary, and the batches still open.</summary>
public sealed record ImageBatchReceipt(IReadOnlyList<ImageGenSummary> Collected, IReadOnlyList<ImageBatch> Open);
