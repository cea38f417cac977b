using Btcedu.Core.Episodes;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Pipeline;

public sealed class StaleMarkingTests
{
    private static readonly string[] Outputs =
    [
        "correct/transcript.de.txt", "translate/transcript.tr.txt", "adapt/script.tr.md", "chapters.json",
        "images/ch02.png", "images/manifest.json", "tts/ch02.mp3", "render/draft.mp4", "publish/youtube.json",
    ];

    private static (TempWorkspace Temp, Btcedu.Core.Composition.BtceduWorkspace Ws) Episode(EpisodeStatus status = EpisodeStatus.IMAGES_GENERATED)
    {
        var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bir", 2, status);
        foreach (var output in Outputs)
        {
            temp.WriteFile("data/outputs/ep1/" + output, "x");
        }
        return (temp, ws);
    }

    [Fact]
    public void The_full_chain_from_correct_marks_every_downstream_output_in_order_and_deletes_nothing()
    {
        var (temp, ws) = Episode();
        using var _ = temp;
        var files = temp.Snapshot();

        var result = ws.Markers.Mark("ep1", Stage.correct, "transcript corrected");

        Assert.Equal(Outputs.Skip(1), result.Markers.Select(m => m.Output));
        Assert.Equal([Stage.translate, Stage.adapt, Stage.chapterize, Stage.imagegen, Stage.imagegen, Stage.tts, Stage.render, Stage.publish], result.Markers.Select(m => m.Stage));
        Assert.All(result.Markers, m => Assert.Equal(("correct", "transcript corrected", true), (m.InvalidatedBy, m.Reason, m.Readable)));
        Assert.All(files.Keys.Where(f => f.Contains("outputs", StringComparison.Ordinal)), f => Assert.True(File.Exists(Path.Combine(temp.Root, f))));
        Assert.False(File.Exists(temp.Paths.ChaptersFile("ep1").Replace("chapters.json", "correct/transcript.de.txt.stale", StringComparison.Ordinal)));
        Assert.Equal(EpisodeStatus.CORRECTED, ws.Episodes.Get("ep1").Status);
        Assert.Equal(EpisodeStatus.IMAGES_GENERATED, result.PreviousStatus);
    }

    [Fact]
    public void The_status_goes_back_to_the_stage_completed_status_and_the_change_is_recorded()
    {
        var (temp, ws) = Episode();
        using var _ = temp;

        ws.Markers.Mark("ep1", Stage.chapterize, "script re-adapted");

        Assert.Equal(EpisodeStatus.CHAPTERIZED, ws.Episodes.Get("ep1").Status);
        using var c = ws.Database.Connect();
        var rows = c.Query("SELECT from_status, to_status, reason FROM episode_status_changes", r => (r.GetString(0), r.GetString(1), r.GetString(2)));
        Assert.Equal([("IMAGES_GENERATED", "CHAPTERIZED", "chapterize invalidated: script re-adapted")], rows);
    }

    [Fact]
    public void A_status_before_the_stage_never_moves_forward()
    {
        var (temp, ws) = Episode(EpisodeStatus.COST_LIMIT);
        using var _ = temp;

        var result = ws.Markers.Mark("ep1", Stage.imagegen, "re-render");

        Assert.Null(result.PreviousStatus);
        Assert.Equal(EpisodeStatus.COST_LIMIT, ws.Episodes.Get("ep1").Status);
        Assert.Equal(["render/draft.mp4", "publish/youtube.json"], result.Markers.Select(m => m.Output));
    }

    [Fact]
    public void Marking_while_an_image_run_holds_the_lock_fails_at_once_and_writes_nothing()
    {
        var (temp, ws) = Episode();
        using var _ = temp;
        var files = temp.Snapshot();
        using var held = EpisodeLock.Acquire(temp.Paths.LockFile("ep1"), "ep1", TimeProvider.System);

        Assert.Equal("EpisodeLocked", Assert.Throws<BtceduException>(() => ws.Markers.Preview("ep1", Stage.chapterize)).ErrorId);
        Assert.Equal("EpisodeLocked", Assert.Throws<BtceduException>(() => ws.Markers.Mark("ep1", Stage.chapterize, "x")).ErrorId);
        Assert.Equal("EpisodeLocked", Assert.Throws<BtceduException>(() => ws.Markers.Clear(new StaleMarkerInfo { EpisodeId = "ep1", Stage = Stage.render, Output = "render/draft.mp4", Path = "none", InvalidatedBy = "x", Reason = "x", Readable = true })).ErrorId);
        held.Dispose();
        Assert.Equal(files, temp.Snapshot().Where(f => !f.Key.EndsWith(".imagegen.lock", StringComparison.Ordinal)).ToDictionary());
        Assert.Equal(EpisodeStatus.IMAGES_GENERATED, ws.Episodes.Get("ep1").Status);
    }

    [Fact]
    public void Preview_writes_nothing()
    {
        var (temp, ws) = Episode();
        using var _ = temp;
        var files = temp.Snapshot();

        Assert.Equal(6, ws.Markers.Preview("ep1", Stage.adapt).Count);

        Assert.Equal(files, temp.Snapshot());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("[1,2]")]
    [InlineData("\u00ff\u00fe")]
    public void A_malformed_marker_is_listed_as_stale_and_cleared_like_any_other(string content)
    {
        var (temp, ws) = Episode();
        using var _ = temp;
        temp.WriteFile("data/outputs/ep1/render/draft.mp4.stale", content);

        var marker = Assert.Single(ws.Markers.List("ep1"));

        Assert.Equal((Stage.render, "render/draft.mp4", false, "unknown"), (marker.Stage, marker.Output, marker.Readable, marker.InvalidatedBy));
        Assert.Equal(StageState.Stale, PipelinePlanner.Plan(ws.Paths, ws.Episodes.Get("ep1")).Single(p => p.Stage == Stage.render).State);
        Assert.True(ws.Markers.Clear(marker));
        Assert.Empty(ws.Markers.List("ep1"));
    }

    [Fact]
    public void V1_episodes_and_v1_stages_are_refused()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("old", "Eski", 1, EpisodeStatus.REFINED);
        ws.Episodes.Create("ep1", "Bir", 2, EpisodeStatus.CHAPTERIZED);

        Assert.Equal("EpisodeNotV2", Assert.Throws<BtceduException>(() => ws.Markers.Mark("old", Stage.download, "x")).ErrorId);
        Assert.Equal("StageNotInPipeline", Assert.Throws<BtceduException>(() => ws.Markers.Mark("ep1", Stage.download, "x")).ErrorId);
        Assert.Equal(EpisodeStatus.REFINED, ws.Episodes.Get("old").Status);
    }
}
