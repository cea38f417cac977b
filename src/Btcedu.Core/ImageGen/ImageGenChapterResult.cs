using Btcedu.Core.Chapters;

namespace Btcedu.Core.ImageGen;

/// <summary>What a run did with one chapter: the cmdlet's output object.</summary>
public sealed record ImageGenChapterResult
{
    public required string EpisodeId { get; init; }
    public required string ChapterId { get; init; }
    public required int Order { get; init; }
    public required VisualType VisualType { get; init; }
    public required ImageStatus Status { get; init; }
    public decimal CostUsd { get; init; }
    /// <summary>The image file, when the chapter has one.</summary>
    public string? Path { get; init; }
    public string? Error { get; init; }
    public string? Reason { get; init; }
    public int Attempts { get; init; }
}
