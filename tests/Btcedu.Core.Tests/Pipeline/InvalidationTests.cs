using Btcedu.Core.ImageGen;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.ImageGen;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Pipeline;

/// <summary>Per-chapter render invalidation: a changed image marks its own segment and the episode's draft, nothing else.</summary>
public sealed class InvalidationTests
{
    [Fact]
    public async Task Regenerating_one_chapter_marks_only_its_segment_and_the_draft()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var segments = Enumerable.Range(1, 6).Select(i => h.Temp.WriteFile($"data/outputs/ep1/render/segments/ch0{i}.mp4", "x")).ToList();
        var draft = h.Temp.WriteFile("data/outputs/ep1/render/draft.mp4", "x");
        h.Server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1984, 1088)));

        await h.RunAsync(new ImageGenSelection { Named = ["ch04"] });

        Assert.True(File.Exists(draft + ".stale"));
        Assert.Equal([segments[3] + ".stale"], Directory.EnumerateFiles(Path.GetDirectoryName(segments[0])!, "*.stale"));
        // Get-BtceduStale lists the segment's marker under render, and the pipeline plan counts it.
        var ws = h.Workspace;
        Assert.Contains(ws.Markers.List("ep1", [Btcedu.Core.Episodes.Stage.render]), m => m.Path == segments[3] + ".stale");
    }

    [Fact]
    public async Task A_restore_marks_its_chapters_segment_and_a_run_with_nothing_new_marks_nothing()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        h.Server.EnqueueImages([.. Enumerable.Range(1, 4).Select(i => FakeResponse.ImageBase64(TestImages.Png(1920 + 64 * i, 1088)))]);
        await h.RunAsync(new ImageGenSelection { Force = true });
        var segment2 = h.Temp.WriteFile("data/outputs/ep1/render/segments/ch02.mp4", "x");
        var segment3 = h.Temp.WriteFile("data/outputs/ep1/render/segments/ch03.mp4", "x");
        var draft = h.Temp.WriteFile("data/outputs/ep1/render/draft.mp4", "x");

        await h.RunAsync(); // up to date: nothing changes, nothing is marked
        Assert.Empty(Directory.EnumerateFiles(h.Temp.Paths.EpisodeDir("ep1"), "*.stale", SearchOption.AllDirectories));

        var restored = h.Stage().Restore("ep1", "ch02", h.Stage().History("ep1", "ch02").Single().Version);

        Assert.True(File.Exists(segment2 + ".stale"));
        Assert.False(File.Exists(segment3 + ".stale"));
        Assert.True(File.Exists(draft + ".stale"));
        Assert.Contains(segment2 + ".stale", restored.StaleMarkers);
    }

    [Fact]
    public async Task A_new_brand_card_marks_its_segment()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var segment1 = h.Temp.WriteFile("data/outputs/ep1/render/segments/ch01.mp4", "x");
        var segment5 = h.Temp.WriteFile("data/outputs/ep1/render/segments/ch05.mp4", "x");
        var renamed = StageHarness.Document();
        renamed.Chapter(0)["title"] = "Yeni Başlık";
        h.Import(renamed);
        foreach (var marker in Directory.EnumerateFiles(h.Temp.Paths.EpisodeDir("ep1"), "*.stale", SearchOption.AllDirectories))
        {
            File.Delete(marker); // only what the image run marks counts here, not the re-import's own markers
        }

        await h.RunAsync();

        Assert.True(File.Exists(segment1 + ".stale"));
        Assert.False(File.Exists(segment5 + ".stale"));
    }
}
