using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Storage;

/// <summary>image_deliveries, the delivery journal's table: each step commits with the run's totals, and entries leave only when told.</summary>
public sealed class ImageDeliveryStoreTests
{
    [Fact]
    public void Intent_answer_and_delivery_each_commit_with_the_runs_totals()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bölüm", 2);
        var runId = ws.Runs.Start("ep1", Stage.imagegen);
        var store = new ImageDeliveryStore(ws.Database);

        var id = store.Intend("ep1", "ch02", "sha256:aa", 0.05m, new RunTotals(runId, 0, 0, 0.05m));
        Assert.Equal(0.05m, ws.Runs.TotalCostUsd("ep1")); // the reservation counts while the call is in flight
        var d = Assert.Single(store.List("ep1"));
        Assert.False(d.Answered || d.Delivered);

        store.Answer(id, "sha256:answer", 0.04m, "{\"prompt\":\"p\"}", new RunTotals(runId, 57, 1325, 0.04m));
        Assert.True(Assert.Single(store.List("ep1")).Answered);
        store.Deliver(id, "sha256:png", 0.04m, "{}", "{}", new RunTotals(runId, 57, 1325, 0.04m));
        d = Assert.Single(store.List("ep1"));
        Assert.True(d.Delivered);
        Assert.Equal(("sha256:png", 0.04m), (d.PngSha256, d.CostUsd));
        Assert.Equal(0.04m, ws.Runs.TotalCostUsd("ep1"));
    }

    [Fact]
    public void Entries_leave_only_when_removed_and_a_new_run_keeps_only_what_it_can_adopt()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bölüm", 2);
        var runId = ws.Runs.Start("ep1", Stage.imagegen);
        var store = new ImageDeliveryStore(ws.Database);
        var ids = Enumerable.Range(1, 4).Select(i => store.Intend("ep1", $"ch0{i}", "sha256:aa", 0.05m, new RunTotals(runId, 0, 0, 0.05m * i))).ToList();

        store.Remove(ids[0]);
        Assert.Equal(1, store.RemoveExcept("ep1", [ids[1], ids[3]]));

        Assert.Equal(["ch02", "ch04"], store.List("ep1").Select(d => d.ChapterId));
    }
}
