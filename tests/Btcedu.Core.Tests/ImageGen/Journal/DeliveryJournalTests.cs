using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>
/// Adoption of images a killed run was delivered (issue 11, item 3). Each test leaves what a run killed at one
/// moment leaves, by the same journal calls the stage makes, and then runs the stage for real against the fake.
/// The kills themselves, as real SIGKILLs of a real process, are swept in tests/KillWindow.Tests.ps1.
/// </summary>
public sealed class DeliveryJournalTests
{
    private const decimal Paid = 0.05m;
    private const decimal Reserved = 0.063m;

    public enum KilledAt { AfterIntent, AfterDelivery, AfterPng, AfterAssetRow }

    private sealed record Leftovers(long RunId, byte[] Png, ManifestEntry Entry);

    [Theory]
    [InlineData(KilledAt.AfterDelivery)]   // the PNG still staged beside the image
    [InlineData(KilledAt.AfterPng)]        // the PNG in place, no row, no manifest entry
    [InlineData(KilledAt.AfterAssetRow)]   // the PNG and its row, no manifest entry
    public async Task A_delivery_journaled_before_a_kill_is_adopted_with_no_call(KilledAt at)
    {
        await using var h = await Start();
        var killed = await KilledRunAsync(h, "ch02", at);

        var before = h.Temp.Snapshot();
        var planned = h.Stage().Plan("ep1", new ImageGenSelection()).Items.Single(i => i.Chapter.ChapterId == "ch02");
        Assert.Equal(before, h.Temp.Snapshot());   // the dry run shows the adoption and touches nothing
        Assert.True(planned.Adopts);
        Assert.False(planned.NeedsLlm);
        Assert.Equal(0m, planned.EstimatedCostUsd);
        Assert.StartsWith("adopted", planned.Reason, StringComparison.Ordinal);

        var (summary, results) = await h.RunAsync();

        var ch02 = results.Single(r => r.ChapterId == "ch02");
        Assert.Equal((ImageStatus.Generated, 0m, 0), (ch02.Status, ch02.CostUsd, ch02.Attempts));
        Assert.StartsWith($"adopted: run {killed.RunId} ", ch02.Reason, StringComparison.Ordinal);
        Assert.Equal(3, summary.Generated);
        Assert.Equal(["Verilen istem 1", "Verilen istem 3"], h.ImageRequests.Select(StageHarness.PromptOf).Select(p => p[^15..]).Order());
        Assert.Equal(killed.Png, File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch02.png")));

        // The manifest entry and media_assets row are the ones the killed run was writing, its price included.
        var entry = h.Manifest()["images"]!.AsArray().Single(e => e!["chapter_id"]!.GetValue<string>() == "ch02")!;
        Assert.Equal("generated", entry["status"]!.GetValue<string>());
        Assert.Equal(killed.Entry.ChapterHash, entry["chapter_hash"]!.GetValue<string>());
        Assert.Equal(killed.Entry.Prompt, entry["prompt"]!.GetValue<string>());
        Assert.Equal(Paid, entry["cost_usd"]!.GetValue<decimal>());
        var asset = new MediaAssetStore(h.Workspace.Database, h.Temp.Paths).List("ep1").Single(a => a.ChapterId == "ch02");
        Assert.Equal((Paid, killed.Png.LongLength, killed.Entry.ChapterHash), (asset.CostUsd, asset.SizeBytes, asset.ChapterHash));

        // The killed run keeps what it paid; this run paid only for the two it generated; the journal is empty.
        var runs = new PipelineRunStore(h.Workspace.Database).List("ep1");
        Assert.Equal(new[] { (PipelineRunStatus.Interrupted, Paid), (PipelineRunStatus.Success, summary.CostUsd) }, runs.Select(r => (r.Status, r.EstimatedCostUsd)));
        Assert.Equal(results.Sum(r => r.CostUsd), summary.CostUsd);
        AssertJournalEmpty(h);

        var (again, _) = await h.RunAsync();
        Assert.Equal((0, 3), (again.Generated, again.Unchanged));
        Assert.Equal(2, h.ImageRequests.Count);
    }

    [Theory]
    [InlineData("in flight")]   // killed after the intent: nothing was delivered
    [InlineData("changed")]     // delivered for a chapter that has changed since
    [InlineData("replaced")]    // the PNG on disk is not the one delivered
    [InlineData("gone")]        // the staged PNG was deleted
    public async Task A_journal_entry_that_cannot_be_adopted_is_dropped_and_its_chapter_generated(string what)
    {
        await using var h = await Start();
        var killed = what switch
        {
            "in flight" => await KilledRunAsync(h, "ch02", KilledAt.AfterIntent),
            "changed" => await KilledRunAsync(h, "ch02", KilledAt.AfterPng, hash: "sha256:" + new string('0', 64)),
            _ => await KilledRunAsync(h, "ch02", what == "gone" ? KilledAt.AfterDelivery : KilledAt.AfterPng),
        };
        var staged = Path.Combine(h.ImagesDir, ".ch02.png.delivered");
        if (what == "replaced")
        {
            File.WriteAllBytes(Path.Combine(h.ImagesDir, "ch02.png"), TestImages.Png(1920, 1088));
        }
        if (what == "gone")
        {
            File.Delete(staged);
        }

        var (summary, results) = await h.RunAsync();

        var ch02 = results.Single(r => r.ChapterId == "ch02");
        Assert.Equal(ImageStatus.Generated, ch02.Status);
        Assert.DoesNotContain("adopted", ch02.Reason, StringComparison.Ordinal);
        Assert.True(ch02.CostUsd > 0);
        Assert.Single(h.ImageRequests, r => StageHarness.PromptOf(r).EndsWith("Verilen istem 2", StringComparison.Ordinal));
        Assert.NotEqual(killed.Png, File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch02.png")));
        Assert.Equal(3, summary.Generated);
        // What the dead run reserved or paid still counts: the call in flight at its reserved price.
        var dead = new PipelineRunStore(h.Workspace.Database).List("ep1")[0];
        Assert.Equal((PipelineRunStatus.Interrupted, what == "in flight" ? Reserved : Paid), (dead.Status, dead.EstimatedCostUsd));
        AssertJournalEmpty(h);
    }

    [Fact]
    public async Task A_delivery_outside_the_selection_is_kept_until_a_run_adopts_it()
    {
        await using var h = await Start();
        await KilledRunAsync(h, "ch02", KilledAt.AfterPng);

        var (first, _) = await h.RunAsync(new ImageGenSelection { Named = ["ch03"] });

        Assert.Equal(1, first.Generated);
        Assert.Single(Journal(h));
        var (second, results) = await h.RunAsync();
        Assert.StartsWith("adopted", results.Single(r => r.ChapterId == "ch02").Reason, StringComparison.Ordinal);
        Assert.Equal(2, second.Generated);   // ch01 generated, ch02 adopted; ch03 unchanged
        Assert.DoesNotContain(h.ImageRequests, r => StageHarness.PromptOf(r).EndsWith("Verilen istem 2", StringComparison.Ordinal));
        AssertJournalEmpty(h);
    }

    [Fact]
    public async Task While_a_call_is_in_flight_its_reserved_price_is_on_the_runs_row_and_journaled()
    {
        await using var h = await Start(chapters: 1);
        h.Server.Images.Latency = TimeSpan.FromMilliseconds(600);
        var channel = System.Threading.Channels.Channel.CreateUnbounded<ImageGenEvent>();
        var run = h.StartRun(new ImageGenSelection(), channel.Writer, CancellationToken.None);
        var runs = new PipelineRunStore(h.Workspace.Database);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Journal(h).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the call's intent was never journaled");
            await Task.Delay(10);
        }
        var intent = Assert.Single(Journal(h));
        var row = Assert.Single(runs.List("ep1"));

        Assert.Null(intent.PngSha256);
        Assert.Equal(h.Stage().Plan("ep1", new ImageGenSelection()).Profile.EstimatedCostUsd, intent.ReservedUsd);
        Assert.Equal((PipelineRunStatus.Running, intent.ReservedUsd), (row.Status, row.EstimatedCostUsd));

        var summary = await run;
        Assert.Equal(summary.CostUsd, Assert.Single(runs.List("ep1")).EstimatedCostUsd); // settled to the actual price
        AssertJournalEmpty(h);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_answer_saved_before_the_local_stage_reached_it_is_decoded_and_placed_with_no_call(bool damaged)
    {
        // Killed after the API answered and the image was saved as delivered, before the local stage decoded it.
        await using var h = await Start();
        var ws = h.Workspace;
        var item = h.Stage(ws).Plan("ep1", new ImageGenSelection()).Items.Single(i => i.Chapter.ChapterId == "ch02");
        var runId = new PipelineRunStore(ws.Database).Start("ep1", Stage.imagegen);
        var journal = DeliveryJournal.For(ws.ImageGenServices);
        var id = journal.Intend("ep1", item, Reserved, new RunTotals(runId, 0, 0, Reserved));
        var delivered = TestImages.Png(1920, 1088);
        var answer = new JournaledAnswer { Prompt = "the killed run's prompt", ImageCostUsd = Paid, CostUsd = Paid, Attempts = 1 };
        await journal.SaveAnswerAsync("ep1", "ch02", delivered);
        journal.Answer(id, delivered, answer, new RunTotals(runId, 40, 1700, Paid));
        if (damaged)
        {
            File.WriteAllBytes(journal.AnswerFile("ep1", "ch02"), delivered[..1000]); // e.g. a power cut before the page cache reached the disk
        }

        var (summary, results) = await h.RunAsync();

        var ch02 = results.Single(r => r.ChapterId == "ch02");
        Assert.Equal(ImageStatus.Generated, ch02.Status);
        Assert.Equal(3, summary.Generated);
        var entry = h.Manifest()["images"]!.AsArray().Single(e => e!["chapter_id"]!.GetValue<string>() == "ch02")!;
        Assert.Equal((1920, 1080), TestImages.Size(File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch02.png"))));
        if (damaged)
        {
            Assert.DoesNotMatch("^adopted", ch02.Reason ?? "");
            Assert.Equal(3, h.ImageRequests.Count); // paid again: the damaged file is never placed
        }
        else
        {
            Assert.Equal(0m, ch02.CostUsd);
            Assert.StartsWith($"adopted: run {runId} ", ch02.Reason, StringComparison.Ordinal);
            Assert.Equal(2, h.ImageRequests.Count); // ch01 and ch03 only
            Assert.Equal("the killed run's prompt", entry["prompt"]!.GetValue<string>());
            Assert.Equal(Paid, entry["cost_usd"]!.GetValue<decimal>());
            Assert.Equal("1920x1088", entry["source_size"]!.GetValue<string>());
        }
        AssertJournalEmpty(h);
    }

    private static Task<StageHarness> Start(int chapters = 3) =>
        StageHarness.StartAsync(StageHarness.Document(chapters, _ => "b_roll", i => $"Verilen istem {i}"));

    /// <summary>Leaves what a run killed at <paramref name="at"/> while delivering <paramref name="chapterId"/> leaves, by the stage's own journal calls.</summary>
    private static async Task<Leftovers> KilledRunAsync(StageHarness h, string chapterId, KilledAt at, string? hash = null)
    {
        var ws = h.Workspace;
        var item = h.Stage(ws).Plan("ep1", new ImageGenSelection()).Items.Single(i => i.Chapter.ChapterId == chapterId);
        item = item with { ChapterHash = hash ?? item.ChapterHash };
        var runId = new PipelineRunStore(ws.Database).Start("ep1", Stage.imagegen);
        var journal = DeliveryJournal.For(ws.ImageGenServices);
        var png = TestImages.NoisePng(192, 108);
        var entry = new ManifestEntry
        {
            ChapterId = chapterId,
            VisualType = item.Chapter.VisualType.ToString(),
            Status = ImageStatus.Generated,
            Prompt = "the killed run's prompt for " + chapterId,
            Model = "gpt-image-2",
            Size = "1920x1080",
            SourceSize = "1920x1088",
            Quality = "medium",
            FilePath = $"images/{chapterId}.png",
            GeneratedAt = "2026-11-25T10:00:00.000Z",
            ChapterHash = item.ChapterHash,
            CostUsd = Paid,
            InputTokens = 40,
            OutputTokens = 1700,
        };
        var asset = new NewMediaAsset("ep1", chapterId, "image", entry.FilePath, "image/png", png.LongLength,
            new ImageRecord { Model = entry.Model, CostUsd = Paid, ChapterHash = entry.ChapterHash }, null);

        var id = journal.Intend("ep1", item, Reserved, new RunTotals(runId, 0, 0, Reserved));
        if (at >= KilledAt.AfterDelivery)
        {
            await journal.StageAsync("ep1", chapterId, png);
            journal.Deliver(id, png, entry, asset, new RunTotals(runId, 40, 1700, Paid));
        }
        if (at >= KilledAt.AfterPng)
        {
            journal.Place("ep1", chapterId);
        }
        if (at >= KilledAt.AfterAssetRow)
        {
            new MediaAssetStore(ws.Database, ws.Paths).Replace(asset);
        }
        return new Leftovers(runId, png, entry);
    }

    private static IReadOnlyList<ImageDelivery> Journal(StageHarness h) => new ImageDeliveryStore(h.Workspace.Database).List("ep1");

    private static void AssertJournalEmpty(StageHarness h)
    {
        Assert.Empty(Journal(h));
        Assert.Empty(Directory.EnumerateFiles(h.ImagesDir, ".*"));   // no staged PNG (nor temp file) left
    }
}
