using Btcedu.Core.Episodes;

namespace Btcedu.Core.Pipeline;

/// <summary>One stage of an episode's pipeline plan, as Get-BtceduPipelinePlan writes it.</summary>
public sealed record PipelineStagePlan
{
    public required string EpisodeId { get; init; }
    public required int PipelineVersion { get; init; }
    public required int Order { get; init; }
    public required Stage Stage { get; init; }
    public required StageState State { get; init; }
    public required EpisodeStatus CompletedStatus { get; init; }
    public required IReadOnlyList<Stage> Upstreams { get; init; }
    /// <summary>The review gate that follows this stage (1, 2 or 3), or null.</summary>
    public int? Gate { get; init; }
    /// <summary>The stage's outputs that exist, relative to the episode folder.</summary>
    public required IReadOnlyList<string> Outputs { get; init; }
    /// <summary>How many of its outputs carry a stale marker (an unreadable marker counts).</summary>
    public required int StaleOutputs { get; init; }
    /// <summary>Whether this module runs the stage (Invoke-BtceduImageGen); other stages are run elsewhere.</summary>
    public required bool Implemented { get; init; }
}
