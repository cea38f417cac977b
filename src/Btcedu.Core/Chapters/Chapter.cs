namespace Btcedu.Core.Chapters;

/// <summary>One chapter of an episode's chapter document, flattened for the pipeline.</summary>
public sealed record Chapter
{
    public required string EpisodeId { get; init; }
    public required string ChapterId { get; init; }
    public required int Order { get; init; }
    public required string Title { get; init; }
    public required VisualType VisualType { get; init; }
    public required string VisualDescription { get; init; }
    /// <summary>Null means "let the LLM write the image prompt".</summary>
    public string? ImagePrompt { get; init; }
    public required string NarrationText { get; init; }
    public required int WordCount { get; init; }
    public required int DurationSeconds { get; init; }
    public IReadOnlyList<Overlay> Overlays { get; init; } = [];
    public required string TransitionIn { get; init; }
    public required string TransitionOut { get; init; }
    public string? Notes { get; init; }
}

public sealed record Overlay(string Type, string Text, double StartOffsetSeconds, double DurationSeconds);
