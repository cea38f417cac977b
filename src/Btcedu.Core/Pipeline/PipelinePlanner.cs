using Btcedu.Core.Episodes;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Pipeline;

/// <summary>An episode's stages in order, each with its state derived from the episode's status, its outputs and their markers. Reads only.</summary>
public static class PipelinePlanner
{
    public static IReadOnlyList<PipelineStagePlan> Plan(WorkspacePaths paths, Episode episode)
    {
        var reached = StageGraph.Reached(episode.PipelineVersion, episode.Status);
        return [.. StageGraph.For(episode.PipelineVersion).Select(d =>
        {
            var outputs = StageOutputs.Existing(paths, episode.Id, d.Stage).ToList();
            var stale = StageOutputs.Markers(paths, episode.Id, d.Stage).Count();
            var state = stale > 0 ? StageState.Stale
                : d.Order <= reached || (reached == 0 && outputs.Count > 0) ? StageState.Done
                : d.Implemented ? StageState.Pending
                : StageState.NotImplemented;
            return new PipelineStagePlan
            {
                EpisodeId = episode.Id,
                PipelineVersion = episode.PipelineVersion,
                Order = d.Order,
                Stage = d.Stage,
                State = state,
                CompletedStatus = d.CompletedStatus,
                Upstreams = d.Upstreams,
                Gate = d.GateAfter,
                Outputs = [.. outputs.Select(o => paths.RelativeToEpisode(episode.Id, o))],
                StaleOutputs = stale,
                Implemented = d.Implemented,
            };
        })];
    }
}
