namespace Btcedu.Core.Storage;

/// <summary>
/// A recorded output file (a row of <c>media_assets</c>). <see cref="Path"/> is absolute;
/// <see cref="FilePath"/> is as recorded, relative to the episode folder.
/// </summary>
public sealed record MediaAsset
{
    public required long Id { get; init; }
    public required string EpisodeId { get; init; }
    public string? ChapterId { get; init; }
    public required string AssetType { get; init; }
    public required string FilePath { get; init; }
    public required string Path { get; init; }
    public required string MimeType { get; init; }
    public required long SizeBytes { get; init; }
    public double? DurationSeconds { get; init; }
    public string? Model => Record.Model;
    public decimal? CostUsd => Record.CostUsd;
    public string? ChapterHash => Record.ChapterHash;
    public long? PromptVersionId { get; init; }
    public int? PromptVersion { get; init; }
    /// <summary>The template that wrote the image prompt ("imagegen"); null when the chapter gave its own prompt.</summary>
    public string? PromptName { get; init; }
    /// <summary>The prompt the image was generated from, as recorded in the metadata.</summary>
    public string? Prompt => Record.Prompt;
    /// <summary>The metadata JSON as stored.</summary>
    public required string Metadata { get; init; }
    /// <summary>The metadata, read once when the row was read.</summary>
    public required ImageRecord Record { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>What the stage records for a new asset.</summary>
public sealed record NewMediaAsset(
    string EpisodeId,
    string? ChapterId,
    string AssetType,
    string FilePath,
    string MimeType,
    long SizeBytes,
    ImageRecord Metadata,
    long? PromptVersionId);
