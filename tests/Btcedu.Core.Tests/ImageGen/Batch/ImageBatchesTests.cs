using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.ImageGen.Batch;

/// <summary>Batch mode end to end against the fake's Files and Batch APIs: submit, pending, collect, money, failures.</summary>
public sealed class ImageBatchesTests
{
    private static ImageBatches Batches(StageHarness h) => h.Workspace.ImageBatches(StageHarness.PromptsDirectory, h.Log.Enqueue, StageHarness.Fast);

    private static async Task<(ImageGenSummary? Summary, List<ImageGenChapterResult> Results)> CollectAsync(StageHarness h, ImageBatch batch)
    {
        using var batches = Batches(h);
        var channel = Channel.CreateUnbounded<ImageGenEvent>();
        var collect = batches.CollectAsync(batch, channel.Writer, CancellationToken.None);
        var results = new List<ImageGenChapterResult>();
        await foreach (var e in channel.Reader.ReadAllAsync())
        {
            if (e is ChapterCompleted c)
            {
                results.Add(c.Result);
            }
        }
        return (await collect, results);
    }

    private static async Task<ImageBatch> SubmitAsync(StageHarness h, ImageGenSelection? selection = null)
    {
        using var batches = Batches(h);
        return (await batches.SubmitAsync("ep1", selection ?? new ImageGenSelection(), CancellationToken.None))!;
    }

    private static decimal Spent(StageHarness h) => new PipelineRunStore(h.Workspace.Database).TotalCostUsd("ep1");

    [Fact]
    public async Task A_batch_is_collected_into_images_at_half_the_synchronous_price_once()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"Verilen istem {i}: şeffaf bloklar"));
        var sync = h.Stage().Plan("ep1", new ImageGenSelection()).Profile.EstimatedCostUsd;

        var batch = await SubmitAsync(h);
        Assert.Equal(["ch02", "ch03", "ch04", "ch06"], batch.ChapterIds);
        Assert.Empty(h.ImageRequests); // nothing called synchronously
        Assert.Equal(Math.Round(4 * sync / 2, 6), Math.Round(batch.ReservedUsd, 6));

        var (summary, results) = await CollectAsync(h, batch);
        Assert.Equal(4, summary!.Generated);
        Assert.Equal(["ch02", "ch03", "ch04", "ch06"], results.Select(r => r.ChapterId));
        Assert.All(results, r => Assert.Equal(ImageStatus.Generated, r.Status));
        var manifest = h.Manifest();
        var entries = manifest["images"]!.AsArray().Where(e => (string?)e!["status"] == "generated").ToList();
        Assert.Equal(4, entries.Count);
        Assert.All(entries, e => Assert.Equal($"collected from batch {batch.Id}", (string?)e!["reason"]));
        var paid = entries.Sum(e => (decimal)e!["cost_usd"]!);
        Assert.Equal(paid, Spent(h)); // every image counted once, at its settled price (no prompt needed the LLM)
        // The usage settles at the Batch API's prices: half of what the same tokens cost synchronously ($5 / $30 per million).
        var atSyncPrices = entries.Sum(e => ((long)e!["text_input_tokens"]! * 5m + (long)e["output_tokens"]! * 30m) / 1_000_000m);
        Assert.Equal(0.5m, Math.Round(paid / atSyncPrices, 6));
        Assert.Equal(batch.Id, JsonNode.Parse(File.ReadAllText(h.Temp.Paths.ImageGenProvenanceFile("ep1")))!["batch_id"]!.GetValue<string>());
        Assert.Equal(4, h.Workspace.MediaAssets.List("ep1").Count);

        // Receiving again changes no file and no row.
        var before = Snapshot(h);
        var again = await CollectAsync(h, batch);
        Assert.Null(again.Summary);
        Assert.Empty(again.Results);
        Assert.Equal(before, Snapshot(h));
    }

    [Fact]
    public async Task Pending_chapters_are_not_submitted_again_and_a_synchronous_run_leaves_them_alone()
    {
        await using var h = await StageHarness.StartAsync();
        h.Server.Batches.RunDelay = TimeSpan.FromMinutes(5);
        var first = await SubmitAsync(h, new ImageGenSelection { Named = ["ch02", "ch03"] });

        var second = await SubmitAsync(h);
        Assert.Equal(["ch04", "ch06"], second.ChapterIds);
        using (var batches = Batches(h))
        {
            Assert.Null(await batches.SubmitAsync("ep1", new ImageGenSelection(), CancellationToken.None));
        }
        var (_, results) = await h.RunAsync();
        Assert.Empty(h.ImageRequests);
        Assert.All(results.Where(r => r.ChapterId is "ch02" or "ch03" or "ch04" or "ch06"), r =>
        {
            Assert.Equal(ImageStatus.Skipped, r.Status);
            Assert.StartsWith("pending in batch batch_fake", r.Reason);
        });
        Assert.Equal(2, h.Server.Batches.BatchesCreated);
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public async Task The_cap_holds_across_batch_and_synchronous_runs()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"Verilen istem {i}"));
        var sync = h.Stage().Plan("ep1", new ImageGenSelection()).Profile.EstimatedCostUsd;
        h.Server.Batches.RunDelay = TimeSpan.FromMinutes(5);
        // Room for two batch images and one synchronous image, not more.
        var cap = (2 * sync / 2) + sync + 0.001m;
        var batch = await SubmitAsync(h, new ImageGenSelection { Named = ["ch02", "ch03"], MaxCostUsd = cap });
        Assert.Equal(2, batch.Requests);

        var (summary, results) = await h.RunAsync(new ImageGenSelection { MaxCostUsd = cap });
        Assert.Equal(1, summary.Generated);
        Assert.Equal(1, summary.CostLimited);
        Assert.True(Spent(h) <= cap, $"spent {Spent(h)} of {cap}");
    }

    [Fact]
    public async Task A_blocked_line_fails_its_chapter_and_an_expired_one_is_submitted_again()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => i == 3 ? "şiddet içeren sahne" : $"Verilen istem {i}"));
        h.Server.Batches.FailPrompts = ["şiddet"];
        h.Server.Batches.RunDelay = TimeSpan.FromMilliseconds(400);
        h.Server.Batches.ExpireAfter = TimeSpan.FromMilliseconds(250); // 2 of 4 lines done by then
        var batch = await SubmitAsync(h);
        await Task.Delay(500);

        var (summary, results) = await CollectAsync(h, batch);
        var byId = results.ToDictionary(r => r.ChapterId);
        Assert.Equal(ImageStatus.Failed, byId["ch03"].Status);
        Assert.Equal(OpenAi.ApiOutcome.ContentPolicyRejected, byId["ch03"].Outcome);
        Assert.Contains("violence", byId["ch03"].Error);
        Assert.Equal(ImageStatus.Generated, byId["ch02"].Status);
        Assert.All(new[] { byId["ch04"], byId["ch06"] }, r => Assert.StartsWith("expired in batch", r.Reason));
        // Failed and expired requests hold nothing; the one image is counted at its price.
        Assert.Equal(byId["ch02"].CostUsd, Spent(h));

        h.Server.Batches.ExpireAfter = null;
        var next = await SubmitAsync(h);
        Assert.Equal(["ch03", "ch04", "ch06"], next.ChapterIds); // the failed chapter is tried again too, like a synchronous run would
    }

    [Fact]
    public async Task A_cancelled_batch_releases_what_never_ran_and_its_late_results_are_paid_but_not_placed_over_a_forced_run()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"Verilen istem {i}"));
        h.Server.Batches.RunDelay = TimeSpan.FromSeconds(2); // a line every 500 ms
        var batch = await SubmitAsync(h);
        await Task.Delay(1100); // some lines done, not all
        using (var batches = Batches(h))
        {
            var cancelled = await batches.CancelAsync("ep1", ["ch02"], CancellationToken.None);
            Assert.Equal(batch.Key, Assert.Single(cancelled).Key);
        }
        // -Force: the synchronous run makes every chapter now (the cmdlet cancelled the batch first, as above).
        var (sync, _) = await h.RunAsync(new ImageGenSelection { Force = true });
        Assert.Equal(4, sync.Generated);
        var manifestBefore = h.Manifest()["images"]!.ToJsonString();

        var (collected, results) = await CollectAsync(h, batch);
        Assert.NotNull(collected);
        Assert.All(results, r => Assert.Equal(ImageStatus.Unchanged, r.Status)); // the synchronous images stay
        Assert.Equal(manifestBefore, h.Manifest()["images"]!.ToJsonString());
        var requests = new ImageBatchStore(h.Workspace.Database).Requests(new ImageBatchStore(h.Workspace.Database).List("ep1").Single().Id);
        var ran = requests.Where(r => r.State == ImageBatchRequestStates.Settled).ToList();
        Assert.InRange(ran.Count, 1, 3);
        Assert.All(requests.Except(ran), r => Assert.Equal(ImageBatchRequestStates.Released, r.State));
        // What ran before the cancel is billed and counted once; what never ran holds nothing.
        Assert.Equal(sync.CostUsd + ran.Sum(r => r.CostUsd!.Value), Spent(h));
    }

    [Fact]
    public async Task A_model_without_batch_prices_is_refused_naming_the_model_and_the_flag()
    {
        await using var h = await StageHarness.StartAsync();
        h.Environment["BTCEDU_IMAGE_MODEL"] = "gpt-image-2.6-sunburst";
        using var batches = Batches(h);
        var e = Assert.Throws<BtceduException>(() => batches.Plan("ep1", new ImageGenSelection()));
        Assert.Equal("BatchNotSupported", e.ErrorId);
        Assert.Contains("gpt-image-2.6-sunburst", e.Message);
        Assert.Contains("batch_prices", e.Message);
        Assert.Equal(0, h.Server.Batches.BatchesCreated);
    }

    [Fact]
    public void Polling_backs_off_from_a_second_to_a_minute()
    {
        var waits = new List<TimeSpan>();
        TimeSpan? wait = null;
        for (var i = 0; i < 15; i++)
        {
            waits.Add((wait = ImageBatches.NextPoll(wait)).Value);
        }
        Assert.Equal(TimeSpan.FromSeconds(1), waits[0]);
        Assert.Equal(TimeSpan.FromSeconds(1.5), waits[1]);
        Assert.True(waits.Zip(waits.Skip(1)).All(p => p.Second >= p.First));
        Assert.Equal(TimeSpan.FromSeconds(60), waits[^1]);
    }

    private static string Snapshot(StageHarness h) => string.Join("\n",
        Directory.EnumerateFiles(h.Temp.Root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(f => f + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));
}
