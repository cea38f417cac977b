using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Storage;

/// <summary>The cost report adds up to the store's own total, whatever the grouping.</summary>
public sealed class CostReportTests
{
    [Fact]
    public void Rows_per_stage_and_day_add_up_to_the_episode_total_and_the_window_bounds_them()
    {
        using var ws = new TempWorkspace();
        var workspace = ws.Open();
        workspace.Episodes.Create("ep1", "Bir", 2);
        var runs = new PipelineRunStore(workspace.Database);
        var a = runs.Start("ep1", Stage.imagegen);
        runs.Complete(a, PipelineRunStatus.Success, 10, 20, 0.105m, null);
        var b = runs.Start("ep1", Stage.chapterize);
        runs.Complete(b, PipelineRunStatus.Success, 1, 2, 0.2m, null);
        var report = new CostReport(workspace.Database, workspace.Paths);

        var total = Assert.Single(report.For("ep1", CostReportGrouping.Episode));
        var stages = report.For("ep1", CostReportGrouping.Stage);
        var days = report.For("ep1", CostReportGrouping.Day);

        Assert.Equal((2, 11L, 22L, 0.305m), (total.Runs, total.InputTokens, total.OutputTokens, total.CostUsd));
        Assert.Equal(runs.TotalCostUsd("ep1"), total.CostUsd);
        Assert.Equal(["chapterize", "imagegen"], stages.Select(s => s.Group));
        Assert.Equal(total.CostUsd, stages.Sum(s => s.CostUsd));
        Assert.Equal(total.CostUsd, days.Sum(s => s.CostUsd));
        Assert.Equal(0, Assert.Single(report.For("ep1", CostReportGrouping.Episode, since: DateTimeOffset.UtcNow.AddHours(1))).Runs);
        Assert.Empty(report.For("ep1", CostReportGrouping.Model));
    }
}
