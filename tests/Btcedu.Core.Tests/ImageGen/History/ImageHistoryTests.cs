using Btcedu.Core.ImageGen;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>Paid images are never lost: history on regeneration and pruning to the limit (restores: ImageRestorerTests).</summary>
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
}
