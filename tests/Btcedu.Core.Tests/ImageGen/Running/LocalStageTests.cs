using System.Threading.Channels;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>
/// The run's local stage (issue 15): what the API delivered is decoded, normalised, written and recorded after the
/// call has given its slot back, so the next call never waits for local work.
/// </summary>
public sealed class LocalStageTests
{
    [Fact]
    public async Task The_next_call_does_not_wait_for_the_previous_image_to_be_placed_and_reported()
    {
        // One API slot. The events channel holds one event and the test reads nothing until the second call has
        // started, so the first chapter cannot finish being reported: a run whose slot covered local work would
        // never make that call.
        await using var h = await StageHarness.StartAsync(StageHarness.Document(3, _ => "diagram", i => $"istem {i}"));
        var secondCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var images = new InMemoryImageGenService();
        images.Answer = r =>
        {
            if (images.Requests.Count == 2)
            {
                secondCall.TrySetResult();
            }
            return InMemoryImageGenService.Succeeded(r, 0.05m);
        };
        var channel = Channel.CreateBounded<ImageGenEvent>(1);

        var run = h.StartRun(new ImageGenSelection { ThrottleLimit = 1 }, channel.Writer, CancellationToken.None, providers: new ImageGenProviders(images, new InMemoryTextGenService()));
        await secondCall.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var results = new List<ImageGenChapterResult>();
        await foreach (var e in channel.Reader.ReadAllAsync())
        {
            if (e is ChapterCompleted c)
            {
                results.Add(c.Result);
            }
        }
        var summary = await run;

        Assert.Equal(["ch01", "ch02", "ch03"], results.Select(r => r.ChapterId));
        Assert.Equal(3, summary.Generated);
        foreach (var r in results)
        {
            Assert.Equal((1920, 1080), TestImages.Size(File.ReadAllBytes(r.Path!)));
        }
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("not an image")]
    public async Task A_delivered_image_that_does_not_decode_fails_its_chapter_and_keeps_its_cost(string kind)
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(4, _ => "diagram", i => $"istem {i}"));
        var png = TestImages.Png(1920, 1088);
        h.Server.EnqueueImages(FakeResponse.ImageBase64(kind == "truncated" ? png[..(png.Length / 2)] : "<html>not an image</html>"u8.ToArray()));

        var (summary, results) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });

        var failed = Assert.Single(results, r => r.Status == ImageStatus.Failed);
        Assert.Equal("ch01", failed.ChapterId);
        Assert.Contains("could not be used", failed.Error, StringComparison.Ordinal);
        Assert.True(failed.CostUsd > 0, "the API billed for the image it sent");
        Assert.Equal(3, summary.Generated);
        Assert.False(File.Exists(h.Temp.Paths.ImageFile("ep1", "ch01")));
        var entry = h.Manifest()["images"]![0]!;
        Assert.Equal("failed", entry["status"]!.GetValue<string>());
        Assert.Equal(failed.CostUsd, entry["cost_usd"]!.GetValue<decimal>());
        Assert.Equal(summary.CostUsd, new PipelineRunStore(h.Workspace.Database).List("ep1").Single().EstimatedCostUsd);
        Assert.Empty(Directory.EnumerateFiles(h.ImagesDir, ".*"));
        Assert.Empty(new ImageDeliveryStore(h.Workspace.Database).List("ep1"));
    }

    [Fact]
    public async Task A_lost_manifest_is_rebuilt_from_the_images_and_their_rows_with_no_call()
    {
        // The PNGs and their media_assets rows are the truth; the manifest, written now and then, is rebuilt from them.
        await using var h = await StageHarness.StartAsync(StageHarness.Document(4, _ => "diagram", i => $"istem {i}"));
        await h.RunAsync();
        var before = h.Manifest()["images"]!.AsArray();
        File.Delete(h.Temp.Paths.ManifestFile("ep1"));
        File.Delete(h.Temp.Paths.ImageFile("ep1", "ch03")); // its row stays, its image does not: generated again

        var (summary, results) = await h.RunAsync();

        Assert.Equal((1, 3), (summary.Generated, summary.Unchanged));
        Assert.Equal("ch03", Assert.Single(results, r => r.Status == ImageStatus.Generated).ChapterId);
        Assert.All(results.Where(r => r.Status == ImageStatus.Unchanged), r => Assert.EndsWith("rebuilt from its media_assets row", r.Reason, StringComparison.Ordinal));
        Assert.Equal(5, h.ImageRequests.Count);
        var after = h.Manifest()["images"]!.AsArray();
        string[] fields = ["chapter_id", "status", "prompt", "model", "size", "source_size", "quality", "file_path", "chapter_hash", "cost_usd", "input_tokens", "output_tokens"];
        foreach (var i in new[] { 0, 1, 3 })
        {
            foreach (var f in fields)
            {
                Assert.Equal(before[i]![f]!.ToJsonString(), after[i]![f]!.ToJsonString());
            }
        }
    }
}
