using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;
using Btcedu.Core.Episodes;

namespace Btcedu.Core.Pipeline;

/// <summary>
/// A run killed before it recorded its end leaves its <c>pipeline_runs</c> row "running" for ever. Such a row is
/// settled as interrupted, its spending kept, once its run is known to be gone: only the holder of an episode's
/// lock creates that episode's image rows, and the operating system drops the lock when the holder dies (zombies
/// included), so a row still running while the lock is free belongs to a dead run.
/// </summary>
public sealed class InterruptedRuns
{
    internal const string Reason = "the run ended without recording its end (killed or crashed); its spending is kept";

    private readonly WorkspacePaths _paths;
    private readonly PipelineRunStore _runs;

    public InterruptedRuns(WorkspacePaths paths, PipelineRunStore runs)
    {
        _paths = paths;
        _runs = runs;
    }

    /// <summary>
    /// For readers: settles the image rows, of one episode or all, whose episode lock is free. The rows are listed
    /// before the lock is probed, so a run that starts after the probe is never among them. Returns how many.
    /// </summary>
    public int Settle(string? episodeId = null)
    {
        var settled = 0;
        foreach (var episode in _runs.Running(Stage.imagegen, episodeId).GroupBy(r => r.EpisodeId))
        {
            if (!Identifier.IsValid(episode.Key) || EpisodeLock.IsHeld(_paths.LockFile(episode.Key)))
            {
                continue;
            }
            settled += episode.Count(r => _runs.MarkInterrupted(r.Id, Reason));
        }
        ClearStaleHolders(episodeId);
        return settled;
    }

    // A run killed after taking the lock leaves its holder details (it may have been killed before writing a row),
    // naming a dead process; they are removed once the lock is free, so nothing of a killed run is left behind.
    private void ClearStaleHolders(string? episodeId)
    {
        var episodes = episodeId is not null ? [episodeId]
            : Directory.Exists(_paths.OutputsDir) ? Directory.EnumerateDirectories(_paths.OutputsDir).Select(Path.GetFileName)
            : [];
        foreach (var episode in episodes)
        {
            if (episode is not null && Identifier.IsValid(episode))
            {
                EpisodeLock.ClearStaleHolder(_paths.LockFile(episode));
            }
        }
    }

    /// <summary>For the run that holds the episode's lock: no other run of it is alive, so every running row is a dead run's.</summary>
    internal int SettleUnderLock(string episodeId) =>
        _runs.Running(Stage.imagegen, episodeId).Count(r => _runs.MarkInterrupted(r.Id, Reason));
}
