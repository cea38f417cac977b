using System.Globalization;
using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Storage;

/// <summary>How a cost report groups an episode's spending.</summary>
public enum CostReportGrouping
{
    /// <summary>One row per episode.</summary>
    Episode,
    /// <summary>One row per stage that ran (pipeline_runs.stage).</summary>
    Stage,
    /// <summary>One row per image model (the recorded images; runs are not per model).</summary>
    Model,
    /// <summary>One row per UTC day a run started.</summary>
    Day,
}

/// <summary>One row of Get-BtceduCostReport: what an episode (or one stage, model or day of it) cost.</summary>
public sealed record CostReportRow
{
    public required string EpisodeId { get; init; }
    /// <summary>The stage, model or day (yyyy-MM-dd, UTC) of this row; null in a per-episode report.</summary>
    public string? Group { get; init; }
    public int Runs { get; init; }
    public int Images { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public decimal CostUsd { get; init; }
}

/// <summary>
/// Reads pipeline_runs (runs, tokens, USD: what counts against the cap, runs in progress and interrupted ones
/// included) and media_assets (images recorded) for one episode, between two instants. Per episode, stage and day
/// the USD is the runs' own, so the rows add up to the store's total exactly; per model it is each image's
/// recorded cost (what the image calls cost, without the LLM that wrote prompts).
/// </summary>
public sealed class CostReport
{
    private readonly PipelineRunStore _runs;
    private readonly MediaAssetStore _assets;

    public CostReport(Database database, WorkspacePaths paths)
    {
        _runs = new PipelineRunStore(database);
        _assets = new MediaAssetStore(database, paths);
    }

    public IReadOnlyList<CostReportRow> For(string episodeId, CostReportGrouping by, DateTimeOffset? since = null, DateTimeOffset? until = null)
    {
        bool InWindow(DateTimeOffset at) => (since is null || at >= since) && (until is null || at < until);
        var runs = _runs.List(episodeId).Where(r => InWindow(r.StartedAt)).ToList();
        var images = _assets.List(episodeId, "image").Where(a => InWindow(a.CreatedAt)).ToList();
        return by switch
        {
            CostReportGrouping.Episode => [Row(episodeId, null, runs, images)],
            CostReportGrouping.Stage => [.. Keys(runs.Select(r => r.Stage), images.Count > 0 ? "imagegen" : null)
                .Select(s => Row(episodeId, s, runs.Where(r => r.Stage == s), s == "imagegen" ? images : []))],
            CostReportGrouping.Day => [.. Keys(runs.Select(r => Day(r.StartedAt)), images.Select(a => Day(a.CreatedAt)))
                .Select(d => Row(episodeId, d, runs.Where(r => Day(r.StartedAt) == d), images.Where(a => Day(a.CreatedAt) == d)))],
            CostReportGrouping.Model => [.. images.GroupBy(a => a.Model ?? "(unknown)", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => ModelRow(episodeId, g.Key, [.. g]))],
            _ => throw new ArgumentOutOfRangeException(nameof(by), by, null),
        };
    }

    private static IEnumerable<string> Keys(IEnumerable<string> keys, params IEnumerable<string?>[] more) =>
        keys.Concat(more.SelectMany(k => k)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    private static IEnumerable<string> Keys(IEnumerable<string> keys, string? extra) => Keys(keys, [extra]);

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static CostReportRow Row(string episodeId, string? group, IEnumerable<PipelineRun> runs, IEnumerable<MediaAsset> images)
    {
        var list = runs.ToList();
        return new CostReportRow
        {
            EpisodeId = episodeId,
            Group = group,
            Runs = list.Count,
            Images = images.Count(),
            InputTokens = list.Sum(r => r.InputTokens),
            OutputTokens = list.Sum(r => r.OutputTokens),
            CostUsd = list.Sum(r => r.EstimatedCostUsd),
        };
    }

    private static CostReportRow ModelRow(string episodeId, string model, IReadOnlyList<MediaAsset> images)
    {
        long input = 0, output = 0;
        foreach (var image in images)
        {
            input += image.Record.InputTokens ?? 0;
            output += image.Record.OutputTokens ?? 0;
        }
        return new CostReportRow
        {
            EpisodeId = episodeId,
            Group = model,
            Images = images.Count,
            InputTokens = input,
            OutputTokens = output,
            CostUsd = images.Sum(a => a.CostUsd ?? 0m),
        };
    }
}
