using Btcedu.Core.Episodes;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Pipeline;

public sealed class PipelinePlannerTests
{
    [Fact]
    public void A_chapterized_episode_is_done_to_chapterize_and_pending_for_images()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bir", 2, EpisodeStatus.CHAPTERIZED);
        temp.WriteFile("data/outputs/ep1/chapters.json", "{}");

        var plan = PipelinePlanner.Plan(ws.Paths, ws.Episodes.Get("ep1"));

        Assert.Equal(["correct", "translate", "adapt", "chapterize", "imagegen", "tts", "render", "publish"], plan.Select(p => p.Stage.ToString()));
        Assert.Equal([StageState.Done, StageState.Done, StageState.Done, StageState.Done, StageState.Pending, StageState.NotImplemented, StageState.NotImplemented, StageState.NotImplemented], plan.Select(p => p.State));
        Assert.Equal(["chapters.json"], plan[3].Outputs);
        Assert.Equal(1, plan[0].Gate);
        Assert.Null(plan[3].Gate);
    }

    [Fact]
    public void Markers_make_a_stage_stale_even_an_unreadable_one()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bir", 2, EpisodeStatus.IMAGES_GENERATED);
        temp.WriteFile("data/outputs/ep1/images/ch02.png", [1, 2, 3]);
        temp.WriteFile("data/outputs/ep1/images/ch02.png.stale", "{not json");
        temp.WriteFile("data/outputs/ep1/render/draft.mp4", [1]);

        var plan = PipelinePlanner.Plan(ws.Paths, ws.Episodes.Get("ep1")).ToDictionary(p => p.Stage);

        Assert.Equal(StageState.Stale, plan[Stage.imagegen].State);
        Assert.Equal(1, plan[Stage.imagegen].StaleOutputs);
        Assert.Equal(["images/ch02.png"], plan[Stage.imagegen].Outputs);
        Assert.Equal(StageState.NotImplemented, plan[Stage.render].State); // its outputs exist, but the status has not passed it
        Assert.Equal(["render/draft.mp4"], plan[Stage.render].Outputs);
    }

    [Fact]
    public void V1_plans_show_only_v1_stages_none_implemented_here()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("old", "Eski", 1, EpisodeStatus.TRANSCRIBED);

        var plan = PipelinePlanner.Plan(ws.Paths, ws.Episodes.Get("old"));

        Assert.Equal([Stage.download, Stage.transcribe, Stage.chunk, Stage.generate, Stage.refine], plan.Select(p => p.Stage));
        Assert.Equal([StageState.Done, StageState.Done, StageState.NotImplemented, StageState.NotImplemented, StageState.NotImplemented], plan.Select(p => p.State));
        Assert.All(plan, p => Assert.Empty(p.Outputs));
    }
}
