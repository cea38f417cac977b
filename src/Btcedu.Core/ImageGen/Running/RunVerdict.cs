using System.Globalization;
using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// How a run ends, decided from its results alone (a pure function, tested as a table): the episode's and the
/// run's status, which stale markers the run satisfied, whether it invalidates the stages downstream, and the
/// run's error message.
/// </summary>
internal sealed record RunVerdict(EpisodeStatus EpisodeStatus, string RunStatus, IReadOnlyList<string> SatisfiedChapters, bool StageSatisfied, bool InvalidatesDownstream, string? Error)
{
    /// <param name="current">The episode's status before the run.</param>
    /// <param name="cap">The cost cap, for the message.</param>
    /// <param name="cancelled">Ctrl+C (or -ErrorAction Stop) ended the run.</param>
    /// <param name="stoppedBy">The answer no retry can fix that stopped the run, if any.</param>
    /// <param name="skipped">The chapters skipped by their visual type (they need no image).</param>
    /// <param name="allChapters">Every chapter of the document.</param>
    /// <param name="results">The results of the chapters in the run's scope.</param>
    public static RunVerdict Of(EpisodeStatus current, decimal cap, bool cancelled, BtceduException? stoppedBy,
        IReadOnlySet<string> skipped, IReadOnlyList<string> allChapters, IReadOnlyList<(string ChapterId, ImageStatus Status)> results)
    {
        int Count(ImageStatus s) => results.Count(r => r.Status == s);
        int generated = Count(ImageStatus.Generated), unchanged = Count(ImageStatus.Unchanged), failed = Count(ImageStatus.Failed), limited = Count(ImageStatus.CostLimited);
        var (status, runStatus) =
            cancelled ? (current, PipelineRunStatus.Cancelled)
            : stoppedBy is not null ? (current, PipelineRunStatus.Failed)
            : limited > 0 ? (EpisodeStatus.COST_LIMIT, PipelineRunStatus.CostLimited)
            : generated + failed > 0 && generated == 0 && unchanged == 0 ? (current, PipelineRunStatus.Failed)
            : (EpisodeStatus.IMAGES_GENERATED, failed > 0 ? PipelineRunStatus.Partial : PipelineRunStatus.Success);

        // Every chapter that now matches its image has its marker satisfied (and the stage's, when all do);
        // a cancelled run decides nothing.
        var satisfied = cancelled ? [] : results.Where(r => r.Status is ImageStatus.Generated or ImageStatus.Unchanged).Select(r => r.ChapterId).ToList();
        var stageSatisfied = !cancelled && allChapters.All(c => skipped.Contains(c) || satisfied.Contains(c));
        var failedChapters = results.Where(r => r.Status == ImageStatus.Failed).Select(r => r.ChapterId).ToList();
        var error = stoppedBy is not null ? stoppedBy.Message
            : limited > 0 ? string.Create(CultureInfo.InvariantCulture, $"cost cap of ${cap} reached; {limited} chapter(s) not generated")
            : failed > 0 ? $"{failed} chapter(s) failed: {string.Join(", ", failedChapters)}" : null;
        return new RunVerdict(status, runStatus, satisfied, stageSatisfied, !cancelled && generated > 0, error);
    }
}
