namespace Btcedu.Core.Chapters;

/// <summary>An episode's chapter document (the chapterize stage's contract, schema_version 1.x).</summary>
public sealed record ChapterDocument(
    string SchemaVersion,
    string EpisodeId,
    string Title,
    int TotalChapters,
    int EstimatedDurationSeconds,
    IReadOnlyList<Chapter> Chapters);
