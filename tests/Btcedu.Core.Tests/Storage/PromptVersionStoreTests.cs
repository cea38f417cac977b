using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Storage;

/// <summary>prompt_versions: one version per content, numbered per name, the first the default.</summary>
public sealed class PromptVersionStoreTests
{
    [Fact]
    public void The_same_content_is_one_version_and_new_content_the_next()
    {
        using var temp = new TempWorkspace();
        var store = temp.Open().PromptVersions;

        var v1 = store.Register(Template("sha256:aa"));
        var again = store.Register(Template("sha256:aa"));
        var v2 = store.Register(Template("sha256:bb"));
        var other = store.Register(Template("sha256:aa") with { Name = "başka" });

        Assert.Equal((1, true), (v1.Version, v1.IsDefault));
        Assert.Equal(v1, again);
        Assert.Equal((2, false), (v2.Version, v2.IsDefault));
        Assert.Equal(1, other.Version);
        Assert.Equal([1, 2], store.List("imagegen").Select(v => v.Version));
        Assert.Equal(v2, store.Find("imagegen", "sha256:bb"));
        Assert.Null(store.Find("imagegen", "sha256:cc"));
    }

    private static NewPromptVersion Template(string hash) => new("imagegen", hash, "prompts/imagegen.md", "gpt-6-luna", 0.2, 400, null);
}
