using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;
namespace Btcedu.Core.ImageGen;

/// <summary><c>provenance/imagegen_provenance.json</c>: how the last run produced its outputs.</summary>
public sealed record ImageGenProvenance
{
    public string Stage { get; init; } = "imagegen";
    public required string EpisodeId { get; init; }
    public required string Timestamp { get; init; }
    public required string PromptName { get; init; }
    public required int PromptVersion { get; init; }
    public required string PromptHash { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyDictionary<string, object?> ModelParams { get; init; }
    public required IReadOnlyList<string> InputFiles { get; init; }
    public required string InputContentHash { get; init; }
    public required IReadOnlyList<string> OutputFiles { get; init; }
    public required long InputTokens { get; init; }
    public required long OutputTokens { get; init; }
    public required decimal CostUsd { get; init; }
    public required double DurationSeconds { get; init; }
    public required IReadOnlyDictionary<string, int> Chapters { get; init; }
    /// <summary>The Batch API batch whose results this run collected (issue 23); null for a synchronous run. Its prices were the Batch API's.</summary>
    public string? BatchId { get; init; }
}
