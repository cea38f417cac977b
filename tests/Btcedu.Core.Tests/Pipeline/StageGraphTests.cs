using Btcedu.Core.Pipeline;
using Btcedu.Core.Workspace;
using Btcedu.Core.Episodes;

namespace Btcedu.Core.Tests.Pipeline;

public class StageGraphTests
{
    [Fact]
    public void Chapterize_invalidates_images_speech_render_and_publish()
    {
        Assert.Equal([Stage.imagegen, Stage.tts, Stage.render, Stage.publish], StageGraph.Downstream(Stage.chapterize));
        Assert.Equal([Stage.render, Stage.publish], StageGraph.Downstream(Stage.imagegen));
        Assert.Empty(StageGraph.Downstream(Stage.publish));
    }

    [Fact]
    public void The_full_chain_from_correct_runs_in_pipeline_order()
    {
        Assert.Equal([Stage.translate, Stage.adapt, Stage.chapterize, Stage.imagegen, Stage.tts, Stage.render, Stage.publish], StageGraph.Downstream(Stage.correct));
    }

    [Fact]
    public void V2_has_its_stages_statuses_and_three_gates_in_order()
    {
        var v2 = StageGraph.For(2);
        Assert.Equal([Stage.correct, Stage.translate, Stage.adapt, Stage.chapterize, Stage.imagegen, Stage.tts, Stage.render, Stage.publish], v2.Select(d => d.Stage));
        Assert.Equal(Enumerable.Range(1, 8), v2.Select(d => d.Order));
        Assert.Equal([EpisodeStatus.CORRECTED, EpisodeStatus.TRANSLATED, EpisodeStatus.ADAPTED, EpisodeStatus.CHAPTERIZED, EpisodeStatus.IMAGES_GENERATED, EpisodeStatus.TTS_DONE, EpisodeStatus.RENDERED, EpisodeStatus.PUBLISHED], v2.Select(d => d.CompletedStatus));
        Assert.Equal([(Stage.correct, 1), (Stage.adapt, 2), (Stage.render, 3)], v2.Where(d => d.GateAfter is not null).Select(d => (d.Stage, d.GateAfter!.Value)));
        Assert.Equal([Stage.imagegen], v2.Where(d => d.Implemented).Select(d => d.Stage));
        Assert.Equal([Stage.imagegen, Stage.tts], StageGraph.Get(Stage.render).Upstreams);
    }

    [Fact]
    public void No_gate_between_chapterize_and_imagegen()
    {
        Assert.Null(StageGraph.Get(Stage.chapterize).GateAfter);
        Assert.Equal([Stage.chapterize], StageGraph.Get(Stage.imagegen).Upstreams);
    }

    [Fact]
    public void V1_is_its_own_chain_and_never_reaches_a_v2_stage()
    {
        var v1 = StageGraph.For(1);
        Assert.Equal([Stage.download, Stage.transcribe, Stage.chunk, Stage.generate, Stage.refine], v1.Select(d => d.Stage));
        Assert.Equal([EpisodeStatus.DOWNLOADED, EpisodeStatus.TRANSCRIBED, EpisodeStatus.CHUNKED, EpisodeStatus.GENERATED, EpisodeStatus.REFINED], v1.Select(d => d.CompletedStatus));
        Assert.Equal([Stage.transcribe, Stage.chunk, Stage.generate, Stage.refine], StageGraph.Downstream(Stage.download));
        Assert.All(v1, d => Assert.Null(d.GateAfter));
        Assert.All(v1, d => Assert.False(d.Implemented));
        Assert.Empty(StageGraph.For(2).Select(d => d.Stage).Intersect(v1.Select(d => d.Stage)));
    }

    [Theory]
    [InlineData(2, EpisodeStatus.NEW, 0)]
    [InlineData(2, EpisodeStatus.CHAPTERIZED, 4)]
    [InlineData(2, EpisodeStatus.COST_LIMIT, 4)]
    [InlineData(2, EpisodeStatus.IMAGES_GENERATED, 5)]
    [InlineData(2, EpisodeStatus.APPROVED, 7)]
    [InlineData(2, EpisodeStatus.COMPLETED, 8)]
    [InlineData(2, EpisodeStatus.FAILED, 0)]
    [InlineData(1, EpisodeStatus.CHUNKED, 3)]
    [InlineData(1, EpisodeStatus.CHAPTERIZED, 0)]
    public void The_status_says_how_far_an_episode_came(int version, EpisodeStatus status, int reached)
    {
        Assert.Equal(reached, StageGraph.Reached(version, status));
    }

    [Theory]
    [InlineData("ep1", true)]
    [InlineData("Ep_1-a", true)]
    [InlineData("../x", false)]
    [InlineData("a.b", false)]
    [InlineData("_x", false)]
    [InlineData("ış", false)]
    public void Identifiers_are_portable_file_names(string id, bool valid)
    {
        Assert.Equal(valid, Identifier.IsValid(id));
        Assert.False(Identifier.IsValid(new string('a', 65)));
    }
}
