using Btcedu.Core.Episodes;

namespace Btcedu.Core.Pipeline;

/// <summary>
/// One stage of a pipeline: the status an episode has once it completed, the stages whose outputs it consumes,
/// the review gate that follows it (1, 2, 3; null when the next stage starts without review), and whether this
/// module implements it (only imagegen: every other stage is run elsewhere and shown as such, never faked).
/// </summary>
public sealed record StageDefinition(Stage Stage, int PipelineVersion, int Order, EpisodeStatus CompletedStatus, IReadOnlyList<Stage> Upstreams, int? GateAfter, bool Implemented);
