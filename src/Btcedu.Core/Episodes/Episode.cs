namespace Btcedu.Core.Episodes;

/// <summary>An episode as the store holds it. PipelineVersion is 1 (legacy) or 2.</summary>
public sealed record Episode(
    string Id,
    string Title,
    EpisodeStatus Status,
    int PipelineVersion,
    int ChapterCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? ErrorMessage,
    int RetryCount);
