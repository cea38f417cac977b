using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Storage;

/// <summary>pipeline_runs: spending recorded as it happens, a killed run settled once, and the cap's sum.</summary>
public sealed class PipelineRunStoreTests
{
    [Fact]
    public void A_run_records_its_spending_as_it_goes_and_its_end_once()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bölüm", 2);
        var runs = ws.Runs;

        var id = runs.Start("ep1", Stage.imagegen);
        runs.UpdateTotals(id, 57, 1325, 0.04075m);
        Assert.Equal(new[] { (PipelineRunStatus.Running, 0.04075m) }, runs.Running(Stage.imagegen, "ep1").Select(r => (r.Status, r.EstimatedCostUsd)));

        runs.Complete(id, PipelineRunStatus.Success, 114, 2650, 0.0815m, null);

        var run = Assert.Single(runs.List("ep1"));
        Assert.Equal((PipelineRunStatus.Success, 114L, 2650L, 0.0815m), (run.Status, run.InputTokens, run.OutputTokens, run.EstimatedCostUsd));
        Assert.NotNull(run.CompletedAt);
        Assert.Empty(runs.Running(Stage.imagegen));
        Assert.False(runs.MarkInterrupted(id, "too late")); // a run that finished keeps its own status
    }

    [Fact]
    public void A_killed_run_is_settled_as_interrupted_keeping_what_it_spent_and_the_sum_counts_every_run()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bölüm", 2);
        ws.Episodes.Create("ep2", "Başka", 2);
        var runs = ws.Runs;
        var killed = runs.Start("ep1", Stage.imagegen);
        runs.UpdateTotals(killed, 0, 0, 0.25m);
        var done = runs.Start("ep1", Stage.imagegen);
        runs.Complete(done, PipelineRunStatus.Partial, 0, 0, 0.1m, "1 chapter(s) failed: ch03");
        runs.Complete(runs.Start("ep2", Stage.imagegen), PipelineRunStatus.Success, 0, 0, 9m, null);

        Assert.True(runs.MarkInterrupted(killed, "killed"));
        Assert.False(runs.MarkInterrupted(killed, "again"));

        Assert.Equal(PipelineRunStatus.Interrupted, runs.List("ep1")[0].Status);
        Assert.Equal(0.35m, runs.TotalCostUsd("ep1"));
        Assert.Equal(0m, runs.TotalCostUsd("nobody"));
    }
}
