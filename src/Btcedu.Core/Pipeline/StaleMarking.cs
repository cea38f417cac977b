using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Pipeline;

/// <summary>What marking a stage stale did: the markers written, and the status the episode went back from, if it did.</summary>
public sealed record StaleMarkResult(Episode Episode, EpisodeStatus? PreviousStatus, IReadOnlyList<StaleMarkerInfo> Markers);

/// <summary>
/// Set-, Get- and Clear-BtceduStale: marks every output downstream of a stage (transitively) and sends the episode
/// back to that stage's completed status, lists markers, and removes them. Marking and clearing refuse at once
/// (EpisodeLocked) while an image run holds the episode's lock; marking holds that lock while it writes.
/// </summary>
public sealed class StaleMarking
{
    private readonly WorkspacePaths _paths;
    private readonly EpisodeStore _episodes;
    private readonly Invalidation _invalidation;
    private readonly TimeProvider _time;

    public StaleMarking(WorkspacePaths paths, EpisodeStore episodes, Invalidation invalidation, TimeProvider time)
    {
        _paths = paths;
        _episodes = episodes;
        _invalidation = invalidation;
        _time = time;
    }

    /// <summary>Checks everything marking would check and returns the outputs it would mark, writing nothing (-WhatIf).</summary>
    public IReadOnlyList<string> Preview(string episodeId, Stage stage)
    {
        var episode = RequireStage(episodeId, stage);
        RequireUnlocked(episode.Id);
        return [.. StageGraph.Downstream(stage).SelectMany(s => StageOutputs.Existing(_paths, episode.Id, s))];
    }

    public StaleMarkResult Mark(string episodeId, Stage stage, string reason)
    {
        var episode = RequireStage(episodeId, stage);
        var dir = _paths.EpisodeDir(episode.Id);
        // Held while marking, so no image run starts between the markers and the status.
        using var held = Directory.Exists(dir) ? EpisodeLock.Acquire(_paths.LockFile(episode.Id), episode.Id, _time) : null;
        var markers = new List<StaleMarkerInfo>();
        foreach (var downstream in StageGraph.Downstream(stage))
        {
            markers.AddRange(_invalidation.Invalidate(episode.Id, stage, [downstream], reason).Select(m => StaleMarkerInfo.Read(_paths, episode.Id, downstream, m)));
        }
        var definition = StageGraph.Get(stage);
        EpisodeStatus? previous = null;
        if (StageGraph.Reached(episode.PipelineVersion, episode.Status) > definition.Order)
        {
            previous = episode.Status;
            episode = _episodes.ChangeStatus(episode.Id, definition.CompletedStatus, $"{stage} invalidated: {reason}");
        }
        return new StaleMarkResult(episode, previous, markers);
    }

    /// <summary>The markers of an episode's stages (all, or <paramref name="stages"/>), in pipeline order; unreadable ones included.</summary>
    public IReadOnlyList<StaleMarkerInfo> List(string episodeId, IReadOnlyCollection<Stage>? stages = null)
    {
        var episode = _episodes.Get(episodeId);
        var result = new List<StaleMarkerInfo>();
        foreach (var definition in StageGraph.For(episode.PipelineVersion).Where(d => stages is null || stages.Contains(d.Stage)))
        {
            foreach (var marker in StageOutputs.Markers(_paths, episode.Id, definition.Stage))
            {
                try
                {
                    result.Add(StaleMarkerInfo.Read(_paths, episode.Id, definition.Stage, marker));
                }
                catch (FileNotFoundException)
                {
                    // Removed while listing: nothing to report.
                }
            }
        }
        return result;
    }

    /// <summary>Removes one marker; false when it had gone already. Refuses while an image run holds the episode.</summary>
    public bool Clear(StaleMarkerInfo marker)
    {
        ArgumentNullException.ThrowIfNull(marker);
        RequireUnlocked(marker.EpisodeId);
        return StaleMarker.ClearFile(marker.Path);
    }

    /// <summary>Refuses at once when an image run holds the episode's lock.</summary>
    public void RequireUnlocked(string episodeId)
    {
        var lockFile = _paths.LockFile(episodeId);
        if (EpisodeLock.IsHeld(lockFile))
        {
            var holder = EpisodeLock.ReadHolder(lockFile);
            throw new BtceduException("EpisodeLocked", BtceduErrorKind.ResourceBusy,
                $"Episode '{episodeId}' is being generated{(holder is null ? "" : $" by process {holder.Pid} on {holder.Host}")}; its markers cannot change under a running image run. Wait for it to finish.", episodeId);
        }
    }

    private Episode RequireStage(string episodeId, Stage stage)
    {
        var episode = _episodes.Get(episodeId);
        if (episode.PipelineVersion != 2)
        {
            // v1 episodes keep their legacy behaviour: this module marks nothing of theirs.
            throw new BtceduException("EpisodeNotV2", BtceduErrorKind.InvalidOperation,
                $"Episode '{episodeId}' is a v{episode.PipelineVersion} (legacy) episode; stale markers are written for v2 episodes only.", episodeId);
        }
        if (StageGraph.Get(stage).PipelineVersion != 2)
        {
            throw new BtceduException("StageNotInPipeline", BtceduErrorKind.InvalidArgument,
                $"Stage '{stage}' is a v1 (legacy) stage, not one of episode '{episodeId}'. Its stages: {string.Join(", ", StageGraph.For(2).Select(d => d.Stage))}.", stage);
        }
        return episode;
    }
}
