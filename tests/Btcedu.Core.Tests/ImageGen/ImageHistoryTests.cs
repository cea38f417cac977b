using Btcedu.Core.ImageGen;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>Paid images are never lost: history on regeneration, pruning to the limit, restore.</summary>
public sealed class ImageHistoryTests
{
    [Fact]
    public async Task Force_keeps_the_previous_images_in_history_with_their_entries()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var first = h.Manifest()["images"]![1]!;
        var firstPng = File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch02.png"));

        await h.RunAsync(new ImageGenSelection { Force = true });

        var kept = h.Stage().History("ep1", "ch02");
        var v1 = Assert.Single(kept);
        Assert.Equal(1, v1.Version);
        Assert.Equal(firstPng, File.ReadAllBytes(v1.Path));
        Assert.Equal((string?)first["prompt"], v1.Prompt);
        Assert.Equal((string?)first["chapter_hash"], v1.ChapterHash);
        Assert.Equal((decimal)first["cost_usd"]!, v1.CostUsd);
        Assert.Equal(4, h.Stage().History("ep1").Select(v => v.ChapterId).Distinct().Count()); // every generated chapter
    }

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
    public async Task History_is_pruned_to_the_limit_keeping_the_newest()
    {
        await using var h = await StageHarness.StartAsync();
        h.Environment["BTCEDU_IMAGE_HISTORY_KEEP"] = "2";
        for (var i = 0; i < 4; i++)
        {
            h.Server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1920 + 64 * i, 1088 + 32 * i))); // a different image each time
            await h.RunAsync(new ImageGenSelection { Named = ["ch02"] });
        }

        Assert.Equal([3, 2], h.Stage().History("ep1", "ch02").Select(v => v.Version));
        Assert.Equal(4, Directory.GetFiles(Path.Combine(h.ImagesDir, "history", "ch02")).Length);
        Assert.Contains(h.Events.OfType<RunMessage>(), m => m.Text.Contains("pruned", StringComparison.Ordinal));
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
}
