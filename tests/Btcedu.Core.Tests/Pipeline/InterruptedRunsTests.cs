using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.ImageGen;
using Btcedu.Core.Workspace;
using Btcedu.Core.Episodes;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Pipeline;

/// <summary>Rows of killed runs stay "running" until someone sees their episode lock is free.</summary>
public sealed class InterruptedRunsTests
{
    [Fact]
    public async Task A_running_row_whose_lock_is_free_becomes_interrupted_and_keeps_its_spending()
    {
        await using var h = await StageHarness.StartAsync();
        var ws = h.Workspace;
        var runs = new PipelineRunStore(ws.Database);
        var dead = KilledRun(runs, 0.126m);

        Assert.Equal(1, new InterruptedRuns(ws.Paths, runs).Settle());

        var row = runs.List("ep1").Single(r => r.Id == dead);
        Assert.Equal(PipelineRunStatus.Interrupted, row.Status);
        Assert.Equal(0.126m, row.EstimatedCostUsd);
        Assert.Equal(80, row.InputTokens);
        Assert.NotNull(row.CompletedAt);
        Assert.Equal(0.126m, runs.TotalCostUsd("ep1")); // still counts against the cap
        Assert.Equal(0, new InterruptedRuns(ws.Paths, runs).Settle());
    }

    [Fact]
    public async Task A_running_row_whose_lock_is_held_is_left_alone()
    {
        await using var h = await StageHarness.StartAsync();
        var ws = h.Workspace;
        var runs = new PipelineRunStore(ws.Database);
        using (EpisodeLock.Acquire(ws.Paths.LockFile("ep1"), "ep1", TimeProvider.System))
        {
            var live = KilledRun(runs, 0.063m);
            Assert.Equal(0, new InterruptedRuns(ws.Paths, runs).Settle());
            Assert.Equal(PipelineRunStatus.Running, runs.List("ep1").Single(r => r.Id == live).Status);
        }
    }

    [Fact]
    public async Task A_killed_runs_holder_details_are_removed_once_the_lock_is_free_and_a_live_runs_are_kept()
    {
        await using var h = await StageHarness.StartAsync();
        var ws = h.Workspace;
        var runs = new PipelineRunStore(ws.Database);
        var lockFile = ws.Paths.LockFile("ep1");
        var holder = EpisodeLock.HolderFile(lockFile);

        // What a run killed right after taking the lock leaves: the lock file and its details, and no row.
        File.WriteAllText(lockFile, "");
        File.WriteAllText(holder, """{"pid":999999,"host":"vm","process_started_at":"2026-12-03T21:08:38.025Z","acquired_at":"2026-12-03T21:08:42.633Z"}""");
        Assert.Equal(0, new InterruptedRuns(ws.Paths, runs).Settle());
        Assert.False(File.Exists(holder));
        Assert.True(File.Exists(lockFile)); // never deleted: see EpisodeLock

        using (EpisodeLock.Acquire(lockFile, "ep1", TimeProvider.System))
        {
            Assert.True(File.Exists(holder));
            new InterruptedRuns(ws.Paths, runs).Settle();
            new InterruptedRuns(ws.Paths, runs).Settle("ep1");
            Assert.True(File.Exists(holder));
            Assert.Equal(Environment.ProcessId, EpisodeLock.ReadHolder(lockFile)!.Pid);
        }
        Assert.False(File.Exists(holder));
    }

    [Fact]
    public async Task The_next_run_settles_a_killed_runs_row_and_counts_its_spending()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"istem {i}")); // no LLM reservations
        var runs = new PipelineRunStore(h.Workspace.Database);
        var dead = KilledRun(runs, 0.126m);

        var image = Btcedu.Core.Imaging.ImageRequestProfile.Resolve(new BtceduSettings(), new DateOnly(2026, 11, 25)).EstimatedCostUsd;

        var (summary, _) = await h.RunAsync(new ImageGenSelection { MaxCostUsd = 0.126m + (2 * image) });

        Assert.Equal(PipelineRunStatus.Interrupted, runs.List("ep1").Single(r => r.Id == dead).Status);
        Assert.Equal(2, summary.Generated); // the killed run's $0.126 left room for two images
        Assert.Equal(2, summary.CostLimited);
    }

    private static long KilledRun(PipelineRunStore runs, decimal spent)
    {
        var id = runs.Start("ep1", Stage.imagegen);
        runs.UpdateTotals(id, 80, 2000, spent);
        return id;
    }
}
