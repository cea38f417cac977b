using System.Text.Json;
using System.Text.Json.Nodes;
using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.ImageGen;

public sealed class ImageGenRunTests
{
    private static readonly string[] Generated = ["ch02", "ch03", "ch04", "ch06"];

    [Fact]
    public async Task A_first_run_generates_the_generated_types_and_records_everything()
    {
        await using var h = await StageHarness.StartAsync();
        var (summary, results) = await h.RunAsync();

        Assert.Equal(["ch01", "ch02", "ch03", "ch04", "ch05", "ch06"], results.Select(r => r.ChapterId));
        Assert.Equal(Generated, results.Where(r => r.Status == ImageStatus.Generated).Select(r => r.ChapterId));
        Assert.Equal(["ch01", "ch05"], results.Where(r => r.Status == ImageStatus.Skipped).Select(r => r.ChapterId));
        Assert.Equal(EpisodeStatus.IMAGES_GENERATED, summary.EpisodeStatus);
        Assert.Equal(results.Sum(r => r.CostUsd), summary.CostUsd);
        var manifestCh03 = h.Manifest()["images"]![2]!;
        // Given prompt: the image alone, its reported tokens at gpt-image-2's prices ($5/M prompt text, $30/M output).
        var ch03Cost = ((manifestCh03["input_tokens"]!.GetValue<long>() * 5m) + (manifestCh03["output_tokens"]!.GetValue<long>() * 30m)) / 1_000_000m;
        Assert.Equal(ch03Cost, results.Single(r => r.ChapterId == "ch03").CostUsd);
        Assert.True(results.Single(r => r.ChapterId == "ch02").CostUsd > results.Single(r => r.ChapterId == "ch06").CostUsd - 0.000001m); // plus the LLM's tokens

        foreach (var id in Generated)
        {
            var png = File.ReadAllBytes(Path.Combine(h.ImagesDir, id + ".png"));
            Assert.Equal((1920, 1080), TestImages.Size(png));
        }
        // The title card gets its brand card, made locally (issue 19): a visual for every chapter, at no cost.
        Assert.Equal((1920, 1080), TestImages.Size(File.ReadAllBytes(Path.Combine(h.ImagesDir, "ch01.png"))));

        var manifest = h.Manifest();
        Assert.Equal("ep1", manifest["episode_id"]!.GetValue<string>());
        var entries = manifest["images"]!.AsArray();
        Assert.Equal(6, entries.Count);
        var ch01 = entries[0]!;
        Assert.Equal("skipped", ch01["status"]!.GetValue<string>());
        Assert.Contains("brand templates", ch01["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("template", ch01["generation_method"]!.GetValue<string>());
        Assert.Equal("images/ch01.png", ch01["file_path"]!.GetValue<string>());
        Assert.Equal(0m, ch01["cost_usd"]!.GetValue<decimal>());
        var ch03 = entries[2]!;
        Assert.Equal("generated", ch03["status"]!.GetValue<string>());
        Assert.Equal("images/ch03.png", ch03["file_path"]!.GetValue<string>());
        Assert.Equal("1920x1080", ch03["size"]!.GetValue<string>());
        Assert.Equal("1920x1088", ch03["source_size"]!.GetValue<string>());
        Assert.Equal("medium", ch03["quality"]!.GetValue<string>());
        Assert.Equal("gpt-image-2", ch03["model"]!.GetValue<string>());
        Assert.StartsWith("sha256:", ch03["chapter_hash"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(ch03Cost, ch03["cost_usd"]!.GetValue<decimal>());
        Assert.False(ch03["cost_estimated"]!.GetValue<bool>());
        var asset = new MediaAssetStore(h.Workspace.Database, h.Temp.Paths).List("ep1").Single(a => a.ChapterId == "ch03");
        Assert.Equal(ch03["output_tokens"]!.GetValue<long>(), JsonNode.Parse(asset.Metadata)!["output_tokens"]!.GetValue<long>());
        Assert.Equal("1920x1088", JsonNode.Parse(asset.Metadata)!["requested_size"]!.GetValue<string>());
        var raw = File.ReadAllText(h.Temp.Paths.ManifestFile("ep1"));
        Assert.Contains("Verilen istem 3: şeffaf bloklar", raw, StringComparison.Ordinal); // Turkish unescaped
        Assert.Contains("\n  \"images\": [", raw, StringComparison.Ordinal);              // indented by 2

        var provenance = JsonNode.Parse(File.ReadAllText(h.Temp.Paths.ImageGenProvenanceFile("ep1")))!;
        Assert.Equal("imagegen", provenance["stage"]!.GetValue<string>());
        Assert.Equal("imagegen", provenance["prompt_name"]!.GetValue<string>());
        Assert.Equal(1, provenance["prompt_version"]!.GetValue<int>());
        Assert.Equal(4, provenance["chapters"]!["generated"]!.GetValue<int>());
        Assert.Equal(2, provenance["chapters"]!["skipped"]!.GetValue<int>());
        Assert.Equal(summary.CostUsd, provenance["cost_usd"]!.GetValue<decimal>());
        Assert.Contains("images/ch02.png", provenance["output_files"]!.AsArray().Select(n => n!.GetValue<string>()));
        // Every image's reported prompt tokens, plus the two LLM calls' 12 each.
        var imageInputTokens = manifest["images"]!.AsArray().Sum(e => e!["input_tokens"]?.GetValue<long>() ?? 0);
        Assert.True(imageInputTokens > 4 * 10);
        Assert.Equal(imageInputTokens + (2 * 12), provenance["input_tokens"]!.GetValue<long>());

        var ws = h.Workspace;
        var assets = new MediaAssetStore(ws.Database, ws.Paths).List("ep1");
        Assert.Equal(Generated, assets.Select(a => a.ChapterId));
        Assert.All(assets, a => Assert.Equal(new FileInfo(a.Path).Length, a.SizeBytes));
        Assert.Equal(1, assets.Single(a => a.ChapterId == "ch02").PromptVersion);   // LLM-written prompt
        Assert.Null(assets.Single(a => a.ChapterId == "ch03").PromptVersionId);     // the chapter's own prompt
        var run = Assert.Single(new PipelineRunStore(ws.Database).List("ep1"));
        Assert.Equal(("imagegen", PipelineRunStatus.Success), (run.Stage, run.Status));
        Assert.Equal(summary.CostUsd, run.EstimatedCostUsd);
        Assert.Equal(imageInputTokens + (2 * 12), run.InputTokens);
    }

    [Fact]
    public async Task A_second_run_calls_nothing_spends_nothing_and_writes_nothing()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var requests = h.Server.Requests.Count;
        var before = h.Temp.Snapshot();

        var (summary, results) = await h.RunAsync();

        Assert.Equal(requests, h.Server.Requests.Count);
        Assert.Equal(0m, summary.CostUsd);
        Assert.Equal(4, summary.Unchanged);
        Assert.All(results.Where(r => r.Status != ImageStatus.Skipped), r => Assert.Equal(ImageStatus.Unchanged, r.Status));
        Assert.Equal(before.Where(f => !f.Key.Contains("btcedu.db", StringComparison.Ordinal)), h.Temp.Snapshot().Where(f => !f.Key.Contains("btcedu.db", StringComparison.Ordinal)));
        Assert.Single(new PipelineRunStore(h.Workspace.Database).List("ep1")); // a run that called nothing records no run
    }

    [Fact]
    public async Task A_changed_chapter_regenerates_alone_and_its_new_entry_replaces_the_old()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var oldEntries = h.Manifest()["images"]!.AsArray().Select(e => e!.ToJsonString()).ToList();
        var document = StageHarness.Document();
        document.Chapter(2)["visual"]!["image_prompt"] = "Yeni istem: madenciler";
        h.Import(document);
        var before = h.ImageRequests.Count;

        var (summary, results) = await h.RunAsync();

        Assert.Equal(1, h.ImageRequests.Count - before);
        Assert.EndsWith("Yeni istem: madenciler", StageHarness.PromptOf(h.ImageRequests[^1]), StringComparison.Ordinal);
        Assert.Equal(["ch03"], results.Where(r => r.Status == ImageStatus.Generated).Select(r => r.ChapterId));
        Assert.Equal(3, summary.Unchanged);
        var newEntries = h.Manifest()["images"]!.AsArray().Select(e => e!.ToJsonString()).ToList();
        Assert.Equal(oldEntries.Where((_, i) => i != 2), newEntries.Where((_, i) => i != 2)); // untouched
        Assert.NotEqual(oldEntries[2], newEntries[2]);
        Assert.Empty(Directory.EnumerateFiles(h.ImagesDir, "*.stale")); // the re-import's markers are satisfied
        Assert.Single(new MediaAssetStore(h.Workspace.Database, h.Temp.Paths).List("ep1"), a => a.ChapterId == "ch03");
    }

    [Fact]
    public async Task Force_regenerates_every_eligible_chapter()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var (summary, _) = await h.RunAsync(new ImageGenSelection { Force = true });
        Assert.Equal(8, h.ImageRequests.Count);
        Assert.Equal(4, summary.Generated);
    }

    [Fact]
    public async Task Named_chapters_regenerate_even_when_unchanged_and_nothing_else()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var (summary, results) = await h.RunAsync(new ImageGenSelection { Named = ["ch06"] });
        Assert.Equal(5, h.ImageRequests.Count);
        Assert.Equal(["ch06"], results.Select(r => r.ChapterId)); // only the named chapter is reported
        Assert.Equal(ImageStatus.Generated, results[0].Status);
        Assert.Equal(1, summary.Generated);
    }

    [Fact]
    public async Task Unknown_named_chapters_are_refused_before_any_call()
    {
        await using var h = await StageHarness.StartAsync();
        var e = await Assert.ThrowsAsync<BtceduException>(() => h.RunAsync(new ImageGenSelection { Named = ["ch99"] }));
        Assert.Equal("ChapterNotFound", e.ErrorId);
        Assert.Empty(h.Server.Requests);
    }

    [Fact]
    public async Task Piped_chapters_restrict_the_run_without_forcing_them()
    {
        await using var h = await StageHarness.StartAsync();
        var (summary, results) = await h.RunAsync(new ImageGenSelection { Restrict = ["ch02", "ch03"] });
        Assert.Equal(2, summary.Generated);
        Assert.Equal(["ch02", "ch03"], results.Select(r => r.ChapterId));
        Assert.Equal(2, h.ImageRequests.Count);
        var manifest = h.Manifest()["images"]!.AsArray();
        Assert.Equal(6, manifest.Count); // still lists every chapter
        Assert.Contains("no image yet", manifest[3]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        var (again, _) = await h.RunAsync(new ImageGenSelection { Restrict = ["ch02", "ch03"] });
        Assert.Equal(0, again.Generated);
        var (forced, _) = await h.RunAsync(new ImageGenSelection { Restrict = ["ch02"], Force = true });
        Assert.Equal(1, forced.Generated);
    }

    [Fact]
    public async Task A_stale_marker_from_an_operator_forces_regeneration_and_is_cleared()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var image = Path.Combine(h.ImagesDir, "ch04.png");
        File.WriteAllText(StaleMarker.PathFor(image), """{"invalidated_by":"operator","invalidated_at":"2026-11-24T00:00:00Z","reason":"colours off"}""");

        var (_, results) = await h.RunAsync();

        Assert.Equal(["ch04"], results.Where(r => r.Status == ImageStatus.Generated).Select(r => r.ChapterId));
        Assert.False(File.Exists(StaleMarker.PathFor(image)));
    }

    [Fact]
    public async Task A_stage_wide_marker_on_the_manifest_regenerates_every_image_and_is_cleared()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var manifest = h.Temp.Paths.ManifestFile("ep1");
        File.WriteAllText(StaleMarker.PathFor(manifest), """{"invalidated_by":"operator","invalidated_at":"2026-11-24T00:00:00Z","reason":"new brand colours"}""");

        var (summary, _) = await h.RunAsync();

        Assert.Equal(4, summary.Generated);
        Assert.False(File.Exists(StaleMarker.PathFor(manifest)));
        var (again, _) = await h.RunAsync();
        Assert.Equal(0, again.Generated);
    }

    [Fact]
    public async Task One_rejected_chapter_does_not_stop_the_others()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"istem {i}"));
        h.Server.EnqueueImages(FakeResponse.ContentPolicy());

        var (summary, results) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });

        var failed = Assert.Single(results, r => r.Status == ImageStatus.Failed);
        Assert.Equal("ch02", failed.ChapterId);
        Assert.Contains("ContentPolicyRejected", failed.Error, StringComparison.Ordinal);
        Assert.Equal(3, summary.Generated);
        Assert.Equal(EpisodeStatus.IMAGES_GENERATED, h.Workspace.Episodes.Get("ep1").Status);
        Assert.Equal(["ch02"], summary.FailedChapters);
        Assert.Equal(PipelineRunStatus.Partial, new PipelineRunStore(h.Workspace.Database).List("ep1").Single().Status);
        Assert.Equal("failed", h.Manifest()["images"]![1]!["status"]!.GetValue<string>());
        Assert.Equal(1, h.ImageRequests.Count(r => StageHarness.PromptOf(r).EndsWith("istem 2", StringComparison.Ordinal))); // never retried

        var (retry, _) = await h.RunAsync(); // a plain re-run retries the failed chapter only
        Assert.Equal(1, retry.Generated);
        Assert.Equal(0, retry.Failed);
    }

    [Fact]
    public async Task When_every_chapter_fails_the_status_stays_and_the_run_is_failed()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"istem {i}"));
        h.Server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ContentPolicy());

        var (summary, _) = await h.RunAsync();

        Assert.Equal(4, summary.Failed);
        Assert.Null(summary.StoppedBy); // a content-policy rejection fails its own chapter only
        Assert.Equal(EpisodeStatus.CHAPTERIZED, h.Workspace.Episodes.Get("ep1").Status);
        Assert.Equal(PipelineRunStatus.Failed, new PipelineRunStore(h.Workspace.Database).List("ep1").Single().Status);
        Assert.Equal(4, h.ImageRequests.Count); // content-policy rejections are not retried
        Assert.DoesNotContain(h.Log, l => l.Contains(StageHarness.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(StageHarness.Key, File.ReadAllText(h.Temp.Paths.ManifestFile("ep1")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.13, 3)]   // three reservations ($0.04075 each) fit, a fourth does not: the timed-out attempt is not retried
    [InlineData(1.00, 4)]   // room for another estimate: it is retried, and both attempts count
    public async Task A_retry_after_a_timed_out_attempt_is_made_only_when_the_cap_covers_it(double cap, int requests)
    {
        // Found by the fault soak: a timed-out attempt counts at its estimate (it may have been billed), so a retry
        // within the same call could take the run past the cap on one reservation.
        await using var h = await StageHarness.StartAsync(StageHarness.Document(3, _ => "diagram", i => $"istem {i}"));
        // One call hangs for good; every other answer is ready-made bytes, so none of them races the attempt timeout
        // (the emulated API's first 1920x1088 PNG took longer than a 0.5 s timeout on a loaded machine).
        h.Options = StageHarness.Fast with { AttemptTimeout = TimeSpan.FromSeconds(2) };
        var png = FakeResponse.ImageBase64(TestImages.Png(1920, 1088));
        h.Server.EnqueueImages(png.WithDelay(TimeSpan.FromMinutes(5)), png, png, png);

        var (summary, results) = await h.RunAsync(new ImageGenSelection { MaxCostUsd = (decimal)cap, ThrottleLimit = 3 });

        Assert.Equal(requests, h.ImageRequests.Count);
        var run = new PipelineRunStore(h.Workspace.Database).List("ep1").Single();
        Assert.True(run.EstimatedCostUsd <= (decimal)cap, $"spent {run.EstimatedCostUsd} against a cap of {cap}");
        Assert.Equal(results.Sum(r => r.CostUsd), run.EstimatedCostUsd);
        if (requests == 3)
        {
            var timedOut = Assert.Single(results, r => r.Status == ImageStatus.Failed);
            Assert.Contains("not retried, because the cost cap", timedOut.Error, StringComparison.Ordinal);
            Assert.Equal(2, summary.Generated);
        }
        else
        {
            Assert.Equal(3, summary.Generated);
            Assert.True(results.Max(r => r.CostUsd) > 0.075m, "the retried chapter counts its timed-out attempt too");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task The_cost_cap_stops_the_run_and_is_never_exceeded(int throttle)
    {
        // Eight given-prompt diagrams; the answers report no usage, so each costs its estimate of $0.04075
        // (200 prompt tokens at $5/M + 1,325 output tokens at $30/M): the cap fits five (0.20375) but not six (0.2445).
        await using var h = await StageHarness.StartAsync(StageHarness.Document(8, _ => "diagram", i => $"istem {i}"));
        h.Server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ImageBase64(TestImages.Png(1536, 1024)).WithDelay(TimeSpan.FromMilliseconds(50)));

        var (summary, results) = await h.RunAsync(new ImageGenSelection { MaxCostUsd = 0.22m, ThrottleLimit = throttle });

        Assert.Equal(5, summary.Generated);
        Assert.Equal(3, summary.CostLimited);
        Assert.Equal(5, h.ImageRequests.Count);
        Assert.Equal(5 * 0.04075m, summary.CostUsd);
        Assert.Equal(EpisodeStatus.COST_LIMIT, h.Workspace.Episodes.Get("ep1").Status);
        var runs = new PipelineRunStore(h.Workspace.Database);
        Assert.Equal(PipelineRunStatus.CostLimited, runs.List("ep1").Single().Status);
        Assert.True(runs.TotalCostUsd("ep1") <= 0.22m);
        Assert.Equal(3, h.Manifest()["images"]!.AsArray().Count(e => e!["status"]!.GetValue<string>() == "cost_limited"));
        if (throttle == 1)
        {
            Assert.Equal(["ch06", "ch07", "ch08"], results.Where(r => r.Status == ImageStatus.CostLimited).Select(r => r.ChapterId));
        }

        // Earlier spending counts: a second run under the same cap has room for nothing.
        var (second, _) = await h.RunAsync(new ImageGenSelection { MaxCostUsd = 0.22m });
        Assert.Equal(0, second.Generated);
        Assert.Equal(5, h.ImageRequests.Count);
        // Raising the cap finishes the episode.
        var (third, _) = await h.RunAsync(new ImageGenSelection { MaxCostUsd = 1m });
        Assert.Equal(3, third.Generated);
        Assert.Equal(EpisodeStatus.IMAGES_GENERATED, h.Workspace.Episodes.Get("ep1").Status);
    }

    [Fact]
    public async Task A_run_killed_midway_resumes_without_paying_twice_for_a_finished_image()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(12, _ => "b_roll", i => $"istem {i}"));
        h.Server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ImageBase64(TestImages.Png(1536, 1024)).WithDelay(TimeSpan.FromMilliseconds(150)));
        using var cts = new CancellationTokenSource();
        var generated = 0;
        var channel = System.Threading.Channels.Channel.CreateUnbounded<ImageGenEvent>();
        var run = h.StartRun(new ImageGenSelection { ThrottleLimit = 2 }, channel.Writer, cts.Token);
        await foreach (var e in channel.Reader.ReadAllAsync())
        {
            if (e is ProgressChanged && ++generated == 3)
            {
                cts.Cancel(); // the operator presses Ctrl+C (or the process dies) with work in flight
            }
        }
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.False(EpisodeLock.IsHeld(h.Temp.Paths.LockFile("ep1")));
        var finished = h.Manifest()["images"]!.AsArray().Where(e => e!["status"]!.GetValue<string>() == "generated").Select(e => e!["chapter_id"]!.GetValue<string>()).ToList();
        // Images already answered when the run is cancelled are still placed (they are paid for): with 2 slots and a
        // queue of 2, at most 3 + 2 + 2 + 2 are answered by the third completion, never all 12.
        Assert.InRange(finished.Count, 3, 11);

        var (summary, _) = await h.RunAsync();

        Assert.Equal(12 - finished.Count, summary.Generated);
        foreach (var id in finished)
        {
            var n = int.Parse(id[2..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(1, h.ImageRequests.Count(r => StageHarness.PromptOf(r).EndsWith($"istem {n}", StringComparison.Ordinal)));
        }
        Assert.Equal(12, h.Manifest()["images"]!.AsArray().Count(e => e!["status"]!.GetValue<string>() == "generated"));
    }

    [Fact]
    public async Task Legacy_and_unchapterized_episodes_are_refused()
    {
        await using var h = await StageHarness.StartAsync();
        var ws = h.Workspace;
        ws.Episodes.Create("old", "Eski", 1);
        ws.Episodes.Create("new2", "Yeni", 2);
        var stage = h.Stage();
        Assert.Equal("EpisodeNotV2", Assert.Throws<BtceduException>(() => stage.Plan("old", new ImageGenSelection())).ErrorId);
        Assert.Equal("EpisodeNotChapterized", Assert.Throws<BtceduException>(() => stage.Plan("new2", new ImageGenSelection())).ErrorId);
        Assert.Equal("EpisodeNotFound", Assert.Throws<BtceduException>(() => stage.Plan("nope", new ImageGenSelection())).ErrorId);
    }

    [Fact]
    public async Task An_llm_model_without_a_price_is_refused_before_any_call()
    {
        await using var h = await StageHarness.StartAsync();
        h.Environment["BTCEDU_LLM_MODEL"] = "gpt-unpriced";
        var e = await Assert.ThrowsAsync<BtceduException>(() => h.RunAsync());
        Assert.Equal("LlmPriceUnknown", e.ErrorId);
        Assert.Empty(h.Server.Requests); // what it writes (nothing) is pinned in PreconditionTests
    }

    [Fact]
    public async Task A_chapter_whose_image_cannot_be_written_fails_alone()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"istem {i}"));
        Directory.CreateDirectory(Path.Combine(h.ImagesDir, "ch03.png")); // a folder where the file should go
        var (summary, results) = await h.RunAsync();
        Assert.Equal(ImageStatus.Failed, results.Single(r => r.ChapterId == "ch03").Status);
        Assert.Contains("could not write the image", results.Single(r => r.ChapterId == "ch03").Error, StringComparison.Ordinal);
        Assert.Equal(3, summary.Generated);
        var run = new PipelineRunStore(h.Workspace.Database).List("ep1").Single();
        Assert.Equal(PipelineRunStatus.Partial, run.Status);
        Assert.True(results.Single(r => r.ChapterId == "ch03").CostUsd > 0, "the image was paid for");
        Assert.Equal(results.Sum(r => r.CostUsd), run.EstimatedCostUsd);

        // Once the obstacle is gone, the next run places the image it paid for, with no call.
        Directory.Delete(Path.Combine(h.ImagesDir, "ch03.png"));
        var calls = h.ImageRequests.Count;
        var (again, retried) = await h.RunAsync();
        Assert.Equal(1, again.Generated);
        Assert.StartsWith("adopted", retried.Single(r => r.ChapterId == "ch03").Reason, StringComparison.Ordinal);
        Assert.Equal(calls, h.ImageRequests.Count);
    }

    [Fact]
    public async Task New_images_mark_render_outputs_stale()
    {
        await using var h = await StageHarness.StartAsync();
        var render = h.Temp.WriteFile("data/outputs/ep1/render/draft.mp4", [1]);
        await h.RunAsync();
        var marker = JsonNode.Parse(File.ReadAllText(StaleMarker.PathFor(render)))!;
        Assert.Equal("imagegen", marker["invalidated_by"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_changed_setting_changes_every_hash_and_regenerates()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        h.Environment["BTCEDU_IMAGE_STYLE_PREFIX"] = "Sulu boya tarzı.";
        var (summary, _) = await h.RunAsync();
        Assert.Equal(4, summary.Generated);
        Assert.All(h.ImageRequests.Skip(4), r => Assert.StartsWith("Sulu boya tarzı. ", StageHarness.PromptOf(r), StringComparison.Ordinal));
    }
}
