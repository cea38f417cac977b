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
