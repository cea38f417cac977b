using System.Diagnostics;
using System.Text.Json.Nodes;
using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>The image stage against the fake's emulation of today's OpenAI images API (issue 9).</summary>
public sealed class ApiStageTests
{
    [Fact]
    public async Task A_first_run_with_nothing_configured_but_the_key_asks_gpt_image_2_for_1920x1088_and_saves_1080p()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"istem {i}"));

        var (summary, _) = await h.RunAsync();

        Assert.Equal(4, summary.Generated);
        Assert.All(h.ImageRequests, r =>
        {
            var body = JsonNode.Parse(r.Body)!;
            Assert.Equal(("gpt-image-2", "1920x1088", "medium"), (body["model"]!.GetValue<string>(), body["size"]!.GetValue<string>(), body["quality"]!.GetValue<string>()));
        });
        Assert.All(Directory.GetFiles(h.ImagesDir, "*.png"), f => Assert.Equal((1920, 1080), TestImages.Size(File.ReadAllBytes(f))));
        Assert.Equal(0, h.Server.Images.RateLimitHits);
    }

    public static TheoryData<string> FailFastAnswers => new() { "ApiKeyRejected", "QuotaExhausted", "ImageModelUnavailable" };

    [Theory]
    [MemberData(nameof(FailFastAnswers))]
    public async Task An_answer_no_retry_can_fix_stops_the_run_within_the_throttle_and_changes_nothing_else(string errorId)
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(12, _ => "diagram", i => $"istem {i}"));
        await h.RunAsync();
        var manifestBefore = h.Manifest().ToJsonString();
        var spentBefore = new PipelineRunStore(h.Workspace.Database).TotalCostUsd("ep1");
        var callsBefore = h.ImageRequests.Count;
        switch (errorId)
        {
            case "ApiKeyRejected":
                h.Server.Images.RequiredKey = "sk-some-other-key";
                break;
            case "QuotaExhausted":
                h.Server.Images.QuotaExhausted = true;
                break;
            default:
                h.Environment["BTCEDU_IMAGE_MODEL"] = "gpt-image-1"; // shut down; the loopback endpoint is a "gateway", so it is tried
                break;
        }

        var (summary, results) = await h.RunAsync(new ImageGenSelection { Force = true, ThrottleLimit = 2 });

        Assert.Equal(errorId, summary.StoppedBy?.ErrorId);
        Assert.InRange(h.ImageRequests.Count - callsBefore, 1, 2);   // at most one call per worker, never retried
        Assert.Equal(0, summary.Failed);                             // not the chapters' fault
        Assert.All(results, r => Assert.Equal(ImageStatus.Skipped, r.Status));
        Assert.Equal(manifestBefore, h.Manifest().ToJsonString().Replace(h.Manifest()["updated_at"]!.GetValue<string>(), JsonNode.Parse(manifestBefore)!["updated_at"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(EpisodeStatus.IMAGES_GENERATED, h.Workspace.Episodes.Get("ep1").Status);
        var run = new PipelineRunStore(h.Workspace.Database).List("ep1").Last();
        Assert.Equal(PipelineRunStatus.Failed, run.Status);
        Assert.Contains(errorId == "ImageModelUnavailable" ? "model_not_found" : errorId == "QuotaExhausted" ? "quota" : "API key", run.ErrorMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(spentBefore, new PipelineRunStore(h.Workspace.Database).TotalCostUsd("ep1")); // nothing billed for refusals
    }

    [Fact]
    public async Task A_content_policy_rejection_still_fails_only_its_own_chapter()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"istem {i}"));
        h.Server.EnqueueImages(FakeResponse.ContentPolicy());

        var (summary, _) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });

        Assert.Null(summary.StoppedBy);
        Assert.Equal((1, 3), (summary.Failed, summary.Generated));
    }

    [Fact]
    public async Task Sixteen_chapters_under_a_twelve_per_window_limit_finish_with_no_429_when_paced_and_draw_them_when_not()
    {
        var window = TimeSpan.FromSeconds(3);

        // Without the pace, the same sixteen calls trip the limit: the test can fail. (A long window here, so that
        // a slow, busy machine cannot spread the unpaced calls past it.)
        await using (var unpaced = await StageHarness.StartAsync(StageHarness.Document(16, _ => "diagram", i => $"istem {i}")))
        {
            unpaced.Server.Images.ImagesPerMinute = 12;
            unpaced.Server.Images.RateWindow = TimeSpan.FromSeconds(60);
            unpaced.Options = StageHarness.Fast with { RateWindow = window, MaxRetries = 0 };
            await unpaced.RunAsync(new ImageGenSelection { ThrottleLimit = 4 });
            Assert.True(unpaced.Server.Images.RateLimitHits > 0);
        }

        await using var h = await StageHarness.StartAsync(StageHarness.Document(16, _ => "diagram", i => $"istem {i}"));
        h.Server.Images.ImagesPerMinute = 12;
        h.Server.Images.RateWindow = window;
        h.Environment["BTCEDU_IMAGE_RATE_LIMIT_PER_MINUTE"] = "12";
        h.Options = StageHarness.Fast with { RateWindow = window, MaxRetries = 0 };
        var clock = Stopwatch.StartNew();

        // Sixteen workers, one per chapter: all sixteen calls are ready at once, so the pace must hold the last four
        // back however slow each call is (with four workers, a loaded machine's slow calls spread themselves past the
        // window and the pace never had to act: the log line below was missing on a fresh-clone run).
        var (summary, results) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 16 });

        Assert.Equal(0, h.Server.Images.RateLimitHits);
        Assert.True(summary.Generated == 16, string.Join("; ", results.Where(r => r.Error is not null).Select(r => r.Error)));
        Assert.True(clock.Elapsed >= window, $"16 calls at 12 per {window} took only {clock.Elapsed}");
        Assert.Contains(h.Log, l => l.Contains("for the pace (image_rate_limit_per_minute)", StringComparison.Ordinal) && l.Contains("ep1/ch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_429_pauses_every_worker_for_its_retry_after_not_just_the_one_that_drew_it()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(8, _ => "diagram", i => $"istem {i}"));
        h.Server.Images.Latency = TimeSpan.FromMilliseconds(100);
        h.Server.EnqueueImages(FakeResponse.RateLimited(retryAfterMs: 800));

        var (summary, _) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 4 });

        Assert.Equal(8, summary.Generated);
        var received = h.ImageRequests.Select(r => r.ReceivedAt).Order().ToList();
        // The first request drew the 429 at once; at most the other three of the first batch were already in flight.
        // Every later request, the three workers' next chapters included, waited out the pause (images take 100 ms).
        Assert.Equal(9, received.Count);
        Assert.True(received[4] - received[0] >= TimeSpan.FromMilliseconds(700), $"a request came {received[4] - received[0]} after the 429");
        Assert.Contains(h.Log, l => l.Contains("pauses every call", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_requests_left_in_the_window_holds_every_worker_until_the_reset()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(4, _ => "diagram", i => $"istem {i}"));
        var exhausted = FakeResponse.ImageBase64(TestImages.Png(1920, 1088))
            .WithHeader("x-ratelimit-remaining-requests", "0").WithHeader("x-ratelimit-reset-requests", "600ms");
        h.Server.EnqueueImages(exhausted);

        var (summary, _) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });

        Assert.Equal(4, summary.Generated);
        var received = h.ImageRequests.Select(r => r.ReceivedAt).Order().ToList();
        Assert.True(received[1] - received[0] >= TimeSpan.FromMilliseconds(550), $"the second call came {received[1] - received[0]} after the first");
    }

    [Fact]
    public async Task A_shut_down_model_at_openai_is_refused_before_the_lock_with_nothing_written_or_called()
    {
        await using var h = await StageHarness.StartAsync();
        h.Environment["OPENAI_BASE_URL"] = "https://api.openai.com/v1";
        h.Environment["BTCEDU_IMAGE_MODEL"] = "gpt-image-1";
        var before = h.Temp.Snapshot();

        var e = await Assert.ThrowsAsync<BtceduException>(() => h.RunAsync());

        Assert.Equal(("ModelRetired", BtceduErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains("2026-10-23", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, h.Temp.Snapshot());
        Assert.Empty(h.Server.Requests);
        Assert.Empty(new PipelineRunStore(h.Workspace.Database).List("ep1"));
    }

    [Fact]
    public async Task A_deprecated_model_runs_with_its_warning_in_the_plan()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(prompt: i => $"istem {i}"));
        h.Environment["BTCEDU_IMAGE_MODEL"] = "gpt-image-1.5";

        var plan = h.Stage().Plan("ep1", new ImageGenSelection());
        var (summary, results) = await h.RunAsync();

        Assert.Contains(plan.Warnings, w => w.Contains("2026-12-01", StringComparison.Ordinal) && w.Contains("gpt-image-2.6-sunburst", StringComparison.Ordinal));
        Assert.Equal(4, summary.Generated);
        Assert.All(results.Where(r => r.Status == ImageStatus.Generated), r => Assert.Equal(0.050m, r.CostUsd)); // per image, 1536x1024 medium
        Assert.Equal("1536x1024", JsonNode.Parse(h.ImageRequests[0].Body)!["size"]!.GetValue<string>());
    }
}
