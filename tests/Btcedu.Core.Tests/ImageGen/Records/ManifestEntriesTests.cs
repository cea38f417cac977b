using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>The image's one typed record: entry → row → entry gives the entry back, for every way an image arrives.</summary>
public sealed class ManifestEntriesTests
{
    [Fact]
    public async Task A_generated_image_round_trips_through_its_row()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();

        var (entry, rebuilt, row) = RoundTrip(h, "ch02");

        Assert.Equal(Comparable(entry), Comparable(rebuilt));
        Assert.Equal(ManifestEntries.Record(entry), row.Record);
        Assert.NotNull(row.Record.TextInputTokens);
        Assert.Equal("1920x1088", row.Record.RequestedSize);
        Assert.Equal(1, row.Record.Attempts);
        Assert.Equal(GenerationMethod.Api, entry.GenerationMethod);
    }

    [Fact]
    public async Task An_adopted_image_round_trips_through_its_row()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(3, _ => "b_roll", i => $"Verilen istem {i}"));
        var ws = h.Workspace;
        var item = h.Stage(ws).Plan("ep1", new ImageGenSelection()).Items.Single(i => i.Chapter.ChapterId == "ch02");
        var runId = new PipelineRunStore(ws.Database).Start("ep1", Stage.imagegen);
        var journal = DeliveryJournal.For(ws.ImageGenServices);
        var id = journal.Intend("ep1", item, 0.2m, new RunTotals(runId, 0, 0, 0.2m));
        var delivered = TestImages.Png(1920, 1088);
        var answer = new JournaledAnswer
        {
            Prompt = "the killed run's prompt", ImageCostUsd = 0.04m, CostUsd = 0.04m, Attempts = 2,
            Usage = new Btcedu.Core.Models.ImageTokenUsage(50, 7, 1325),
        };
        await journal.SaveAnswerAsync("ep1", "ch02", delivered);
        journal.Answer(id, delivered, answer, new RunTotals(runId, 57, 1325, 0.04m));

        var (_, results) = await h.RunAsync();

        Assert.StartsWith("adopted", results.Single(r => r.ChapterId == "ch02").Reason, StringComparison.Ordinal);
        var (entry, rebuilt, row) = RoundTrip(h, "ch02");
        Assert.Equal(Comparable(entry), Comparable(rebuilt));
        Assert.Equal((50L, 7L, 1325L, 2), (row.Record.TextInputTokens, row.Record.ImageInputTokens, row.Record.OutputTokens, row.Record.Attempts));
    }

    [Fact]
    public async Task A_restored_image_keeps_its_whole_record_and_notes_the_version()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var (first, _, firstRow) = RoundTrip(h, "ch02");
        h.Server.EnqueueImages([.. Enumerable.Range(1, 4).Select(i => FakeResponse.ImageBase64(TestImages.Png(1920 + 64 * i, 1088)))]);
        await h.RunAsync(new ImageGenSelection { Force = true });
        var v1 = h.Stage().History("ep1", "ch02").Single();

        h.Stage().Restore("ep1", "ch02", v1.Version);

        var (entry, rebuilt, row) = RoundTrip(h, "ch02");
        Assert.Equal(Comparable(entry), Comparable(rebuilt));
        Assert.Equal(v1.Version, entry.RestoredFromVersion);
        Assert.Equal(v1.Version, row.Record.RestoredFromVersion);
        // Nothing of the image's record is lost on the way through history.
        Assert.Equal(firstRow.Record with { RestoredFromVersion = v1.Version }, row.Record);
        Assert.Equal(Comparable(first) with { RestoredFromVersion = v1.Version }, Comparable(entry));
    }

    /// <summary>The manifest's entry, the entry rebuilt from the chapter's media_assets row, and the row.</summary>
    private static (ManifestEntry Entry, ManifestEntry Rebuilt, MediaAsset Row) RoundTrip(StageHarness h, string chapterId)
    {
        var ws = h.Workspace;
        var entry = ImageManifest.Load(ws.Paths.ManifestFile("ep1"))!.Images.Single(e => e.ChapterId == chapterId);
        var row = new MediaAssetStore(ws.Database, ws.Paths).List("ep1").Single(a => a.ChapterId == chapterId);
        var chapter = h.Stage(ws).Plan("ep1", new ImageGenSelection()).Items.Single(i => i.Chapter.ChapterId == chapterId).Chapter;
        return (entry, ManifestEntries.FromAsset(chapter, row), row);
    }

    /// <summary>What a row cannot hold: when the run saw it (the row has its own time) and why it was made.</summary>
    private static ManifestEntry Comparable(ManifestEntry e) => e with { GeneratedAt = null, Reason = null };
}
