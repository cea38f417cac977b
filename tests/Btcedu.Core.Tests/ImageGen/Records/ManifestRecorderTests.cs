using System.Threading.Channels;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>
/// The run's copy of the manifest and its coalescing rule: a write is due when entries wait, they are at least 1/16
/// of the manifest, and 250 ms have passed since the last write; a journal entry is dropped only by a write that holds it.
/// </summary>
public sealed class ManifestRecorderTests
{
    [Fact]
    public async Task A_write_waits_for_a_sixteenth_of_the_entries_and_250_ms()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(32, _ => "diagram", i => $"istem {i}"));
        var (recorder, run, time) = Recorder(h);
        var items = run.Plan.Items;

        Assert.False(recorder.IsWriteDue); // nothing waits
        await recorder.RecordAsync(items[0], Generated(h, items[0]), 0.04m);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(recorder.IsWriteDue); // 1 of 32 is less than a sixteenth

        await recorder.RecordAsync(items[1], Generated(h, items[1]), 0.04m);
        Assert.True(recorder.IsWriteDue); // 2 of 32, and long enough since the start

        await recorder.WriteAsync();
        Assert.False(recorder.IsWriteDue);
        await recorder.RecordAsync(items[2], Generated(h, items[2]), 0.04m);
        await recorder.RecordAsync(items[3], Generated(h, items[3]), 0.04m);
        time.Advance(ManifestRecorder.MinInterval - TimeSpan.FromMilliseconds(1));
        Assert.False(recorder.IsWriteDue); // too soon after the last write
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(recorder.IsWriteDue);
    }

    [Fact]
    public async Task In_a_short_episode_one_entry_is_a_sixteenth()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(3, _ => "diagram", i => $"istem {i}"));
        var (recorder, run, time) = Recorder(h);

        await recorder.RecordAsync(run.Plan.Items[0], Generated(h, run.Plan.Items[0]), 0.04m);
        time.Advance(ManifestRecorder.MinInterval);

        Assert.True(recorder.IsWriteDue);
    }

    [Fact]
    public async Task A_journal_entry_is_dropped_only_by_a_write_that_holds_its_image()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(3, _ => "diagram", i => $"istem {i}"));
        var (recorder, run, _) = Recorder(h);
        var item = run.Plan.Items[1];
        run.RunId = run.Runs.Start("ep1", Btcedu.Core.Episodes.Stage.imagegen);
        var id = run.Journal.Intend(run.EpisodeId, item, 0.1m, new RunTotals(run.RunId, 0, 0, 0.1m));
        var journal = new ImageDeliveryStore(h.Workspace.Database);

        await recorder.RecordAsync(item, Generated(h, item), 0.04m, journalId: id);
        Assert.Single(journal.List("ep1")); // recorded in the copy, not yet in the file

        await recorder.WriteAsync();

        Assert.Empty(journal.List("ep1"));
        Assert.Equal("generated", (string?)h.Manifest()["images"]![1]!["status"]);
        Assert.Equal("istem 2", (string?)h.Manifest()["images"]![1]!["prompt"]);
    }

    [Fact]
    public async Task The_file_holds_every_chapter_in_order_and_an_unchanged_copy_differs_from_nothing_on_disk()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(4, _ => "diagram", i => $"istem {i}"));
        var (recorder, run, _) = Recorder(h);
        Assert.True(recorder.DiffersFromDisk()); // there is no manifest yet

        await recorder.RecordAsync(run.Plan.Items[2], Generated(h, run.Plan.Items[2]), 0.04m);
        await recorder.WriteAsync();

        Assert.Equal(["ch01", "ch02", "ch03", "ch04"], h.Manifest()["images"]!.AsArray().Select(e => (string?)e!["chapter_id"]));
        var (again, _, _) = Recorder(h);
        Assert.False(again.DiffersFromDisk());
    }

    private static (ManifestRecorder Recorder, RunState Run, FakeTimeProvider Time) Recorder(StageHarness h)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-04T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var ws = h.Temp.Open(h.Environment, time);
        var services = ws.ImageGenServices;
        var plan = h.Stage(ws).Plan("ep1", new ImageGenSelection());
        var run = new RunState(services, plan, ws.Runs, ws.MediaAssets, DeliveryJournal.For(ws.ImageGenServices),
            Channel.CreateUnbounded<ImageGenEvent>().Writer);
        return (new ManifestRecorder(run), run, time);
    }

    /// <summary>A generated entry, with its image on disk as the local stage leaves it before recording.</summary>
    private static ManifestEntry Generated(StageHarness h, PlannedChapter item)
    {
        Directory.CreateDirectory(h.ImagesDir);
        File.WriteAllBytes(Path.Combine(h.ImagesDir, item.Chapter.ChapterId + ".png"), Fakes.TestImages.Png(32, 18));
        return ManifestEntries.Blank(item, ImageStatus.Generated) with
        {
            GenerationMethod = GenerationMethod.Api,
            Prompt = item.Chapter.ImagePrompt,
            ChapterHash = item.ChapterHash,
            CostUsd = 0.04m,
        };
    }
}
