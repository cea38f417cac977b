using System.Text.Json;
using System.Text.Json.Nodes;
using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>The stage's face: planning writes nothing, preparing takes the episode lock (or refuses at once).</summary>
public sealed class ImageGenStageTests
{
    [Fact]
    public async Task A_second_run_on_a_locked_episode_is_refused_at_once()
    {
        await using var h = await StageHarness.StartAsync();
        using (EpisodeLock.Acquire(h.Temp.Paths.LockFile("ep1"), "ep1", TimeProvider.System))
        {
            var e = await Assert.ThrowsAsync<BtceduException>(() => h.RunAsync());
            Assert.Equal("EpisodeLocked", e.ErrorId);
            Assert.Equal(BtceduErrorKind.ResourceBusy, e.Kind);
            Assert.Contains($"process {Environment.ProcessId}", e.Message, StringComparison.Ordinal);
        }
        Assert.Empty(h.Server.Requests);
    }

    [Fact]
    public async Task A_lock_left_by_a_dead_process_is_taken_over()
    {
        await using var h = await StageHarness.StartAsync();
        var dead = $$"""{"pid": 2147483000, "host": "{{Environment.MachineName}}", "process_started_at": "2020-01-01T00:00:00.000Z", "acquired_at": "2020-01-01T00:00:00.000Z"}""";
        var lockFile = h.Temp.WriteFile("data/outputs/ep1/.imagegen.lock", dead);
        h.Temp.WriteFile("data/outputs/ep1/.imagegen.lock.holder", dead);
        var (summary, _) = await h.RunAsync();
        Assert.Equal(4, summary.Generated);
        Assert.False(EpisodeLock.IsHeld(lockFile));
        Assert.False(File.Exists(EpisodeLock.HolderFile(lockFile)));
    }

    [Fact]
    public async Task Planning_calls_nothing_and_writes_nothing()
    {
        await using var h = await StageHarness.StartAsync();
        var ws = h.Workspace;
        var before = h.Temp.Snapshot();

        var plan = h.Stage(ws).Plan("ep1", new ImageGenSelection());

        Assert.Equal(4, plan.ToGenerate.Count());
        // Given prompts cost the image estimate; the LLM's chapters add its most: max_tokens and the prompt at its price.
        Assert.Equal(["ch03", "ch06"], plan.ToGenerate.Where(i => i.EstimatedCostUsd == 0.04075m).Select(i => i.Chapter.ChapterId));
        Assert.All(plan.ToGenerate.Where(i => i.NeedsLlm), i => Assert.InRange(i.EstimatedCostUsd, 0.04075m + 0.0001m, 0.04075m + 0.01m));
        Assert.Equal(plan.ToGenerate.Sum(i => i.EstimatedCostUsd), plan.EstimatedCostUsd);
        Assert.Equal(0, plan.PromptVersion.Id);
        Assert.Empty(h.Server.Requests);
        Assert.Empty(new PromptVersionStore(ws.Database).List("imagegen"));
        Assert.Equal(before, h.Temp.Snapshot());
    }
}
