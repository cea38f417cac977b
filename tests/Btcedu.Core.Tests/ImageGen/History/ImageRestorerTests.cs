using Btcedu.Core.ImageGen;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>Restore-BtceduImage's core: an earlier image back in place, its whole record, the refusals, and what a restore needs.</summary>
public sealed class ImageRestorerTests
{
    [Fact]
    public async Task Restore_then_rerun_spends_nothing_and_render_becomes_stale()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        h.Server.EnqueueImages([.. Enumerable.Range(1, 4).Select(i => FakeResponse.ImageBase64(TestImages.Png(1920 + 64 * i, 1088)))]);
        await h.RunAsync(new ImageGenSelection { Force = true });
        var render = h.Temp.WriteFile("data/outputs/ep1/render/draft.mp4", "x");
        var v1 = h.Stage().History("ep1", "ch02").Single();
        var current = File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch02.png"));
        var calls = h.ImageRequests.Count;

        var restored = h.Stage().Restore("ep1", "ch02", v1.Version);

        Assert.True(restored.UpToDate);
        Assert.Equal(2, restored.ReplacedKeptAs);
        Assert.Equal(v1.PngSha256, Btcedu.Core.Workspace.ContentHash.Of(File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch02.png"))));
        Assert.Equal(current, File.ReadAllBytes(h.Stage().History("ep1", "ch02").Single().Path)); // the replaced one is kept
        Assert.True(File.Exists(render + ".stale"));
        Assert.Equal(v1.ChapterHash, (string?)h.Manifest()["images"]![1]!["chapter_hash"]);
        var asset = new MediaAssetStore(h.Workspace.Database, h.Temp.Paths).List("ep1").Single(a => a.ChapterId == "ch02");
        Assert.Equal(v1.ChapterHash, asset.ChapterHash);

        var (summary, results) = await h.RunAsync();

        Assert.Equal(0m, summary.CostUsd);
        Assert.Equal(calls, h.ImageRequests.Count);
        Assert.Equal(ImageStatus.Unchanged, results.Single(r => r.ChapterId == "ch02").Status);
    }

    [Fact]
    public async Task An_image_made_for_an_earlier_chapter_is_restored_as_it_was_and_replaced_by_the_next_run()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var changed = StageHarness.Document();
        changed.Chapter(1)["visual"]!["description"] = "A different diagram";
        h.Import(changed);
        await h.RunAsync();
        var old = h.Stage().History("ep1", "ch02").Single();

        var restored = h.Stage().Restore("ep1", "ch02", old.Version);

        Assert.False(restored.UpToDate);
        var (_, results) = await h.RunAsync();
        Assert.Equal(ImageStatus.Generated, results.Single(r => r.ChapterId == "ch02").Status);
        Assert.Contains(h.Stage().History("ep1", "ch02"), v => v.PngSha256 == old.PngSha256); // kept again, not lost
    }

    [Fact]
    public async Task A_missing_version_and_a_locked_episode_are_refused_and_write_nothing()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        await h.RunAsync(new ImageGenSelection { Named = ["ch02"] });
        var files = h.Temp.Snapshot();

        Assert.Equal("ImageVersionNotFound", Assert.Throws<BtceduException>(() => h.Stage().Restore("ep1", "ch02", 9)).ErrorId);
        Assert.Equal("ChapterNotFound", Assert.Throws<BtceduException>(() => h.Stage().Restore("ep1", "ch99", 1)).ErrorId);
        Assert.Equal(files, h.Temp.Snapshot());
        using (EpisodeLock.Acquire(h.Temp.Paths.LockFile("ep1"), "ep1", TimeProvider.System))
        {
            Assert.Equal("EpisodeLocked", Assert.Throws<BtceduException>(() => h.Stage().Restore("ep1", "ch02", 1)).ErrorId);
        }
        Assert.Single(h.Stage().History("ep1", "ch02"));
    }

    [Theory]
    [InlineData("retired image model")]
    [InlineData("unpriced LLM")]
    public async Task A_restore_needs_only_what_restoring_needs(string setting)
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        h.Server.EnqueueImages([.. Enumerable.Range(1, 4).Select(i => FakeResponse.ImageBase64(TestImages.Png(1920 + 64 * i, 1088)))]);
        await h.RunAsync(new ImageGenSelection { Force = true });
        var v1 = h.Stage().History("ep1", "ch02").Single();
        if (setting == "retired image model")
        {
            // What a run refuses at OpenAI's endpoint (ModelRetired), a restore does not need.
            h.Environment["OPENAI_BASE_URL"] = "https://api.openai.com/v1";
            h.Environment["BTCEDU_IMAGE_MODEL"] = "dall-e-3";
        }
        else
        {
            h.Environment["BTCEDU_LLM_MODEL"] = "gpt-unpriced";
        }

        var restored = h.Stage().Restore("ep1", "ch02", v1.Version);

        Assert.Equal(v1.PngSha256, ContentHash.Of(File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch02.png"))));
        Assert.Equal(v1.Version, (int?)h.Manifest()["images"]![1]!["restored_from_version"]);
        // Both settings take part in the hash (ch02's prompt is the LLM's), so under them the image is not up to date;
        // a run with them would refuse first and say why.
        Assert.False(restored.UpToDate);
    }
}
