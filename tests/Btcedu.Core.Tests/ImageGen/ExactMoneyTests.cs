using System.Text.Json.Nodes;
using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Models;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>
/// Issue 21: estimates by OpenAI's token rule and then by what the workspace paid, today's spend and usage refusal
/// codes, slow_down and server_is_overloaded, and moderation details kept on the failed chapter. The fake bills by
/// OpenAI's rule (its own copy of it), so a run's recorded cost is what the real API would bill.
/// </summary>
public sealed class ExactMoneyTests
{
    [Fact]
    public async Task A_fresh_workspaces_dry_run_is_within_five_percent_of_what_the_run_records()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(8, _ => "diagram", i => $"Bir blok zinciri çizimi, sahne {i}"));

        var plan = h.Stage().Plan("ep1", new ImageGenSelection());
        var (summary, _) = await h.RunAsync();

        Assert.Equal(8, summary.Generated);
        Assert.Equal(EstimateSource.TokenRule, plan.Profile.EstimateSource);
        var ratio = plan.EstimatedCostUsd / summary.CostUsd;
        Assert.True(ratio is >= 1.0m and <= 1.05m, $"-WhatIf said {plan.EstimatedCostUsd}, the run recorded {summary.CostUsd} (ratio {ratio})");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_cap_of_five_and_a_half_images_real_cost_lets_five_through(int throttle)
    {
        // What one of these images really costs: measured in another fresh workspace, uncapped (the fake bills by the rule).
        decimal oneImage;
        await using (var probe = await StageHarness.StartAsync(StageHarness.Document(8, _ => "diagram", i => $"istem {i}")))
        {
            var (_, paid) = await probe.RunAsync();
            oneImage = paid.Max(r => r.CostUsd);
        }
        await using var h = await StageHarness.StartAsync(StageHarness.Document(8, _ => "diagram", i => $"istem {i}"));

        var (summary, _) = await h.RunAsync(new ImageGenSelection { MaxCostUsd = 5.5m * oneImage, ThrottleLimit = throttle });

        Assert.Equal(5, summary.Generated);
        Assert.Equal(3, summary.CostLimited);
        Assert.True(summary.CostUsd <= 5.5m * oneImage);
    }

    [Fact]
    public async Task After_the_first_images_the_estimate_is_the_most_the_last_twenty_of_that_shape_cost()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(4, _ => "diagram", i => $"istem {i}"));
        // The API bills these four more than the rule says (2,000 output tokens each, one at 2,400).
        foreach (var tokens in new[] { 2000, 2400, 2000, 2000 })
        {
            h.Server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1920, 1088), inputTokens: 50, outputTokens: tokens));
        }
        Assert.Equal(EstimateSource.TokenRule, h.Stage().Plan("ep1", new ImageGenSelection()).Profile.EstimateSource);
        await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });

        var plan = h.Stage().Plan("ep1", new ImageGenSelection { Force = true });

        Assert.Equal(EstimateSource.Ledger, plan.Profile.EstimateSource);
        Assert.Equal(new LearnedTokens(2400, 4), plan.Profile.Learned);
        Assert.Equal(((200 * 5m) + (2400 * 30m)) / 1_000_000m, plan.Profile.EstimatedCostUsd);
        Assert.Contains("about 2400 output tokens per image (the most among this workspace's last 4 settled image(s) of this model, size and quality)", plan.Describe(), StringComparison.Ordinal);
        // Another quality has no settled images yet: the catalogue's rule.
        h.Environment["BTCEDU_IMAGE_QUALITY"] = "low";
        Assert.Equal(EstimateSource.TokenRule, h.Stage().Plan("ep1", new ImageGenSelection()).Profile.EstimateSource);
    }

    [Fact]
    public async Task Only_the_last_twenty_settled_images_count_and_estimated_costs_do_not()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(22, _ => "diagram", i => $"istem {i}"));
        // The first two images were dear; the twenty after them cheap; then one reported no usage (an estimated cost).
        foreach (var tokens in new[] { 9000, 9000 }.Concat(Enumerable.Repeat(1300, 20)))
        {
            h.Server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1920, 1088), inputTokens: 50, outputTokens: tokens));
        }
        await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });
        h.Server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1920, 1088)));
        await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1, Force = true, Named = ["ch22"] });

        var learned = new MediaAssetStore(h.Workspace.Database, h.Temp.Paths).LearnedOutputTokens("gpt-image-2", "1920x1088", "medium");

        // ch22's row was replaced by one without usage: 21 rows have usage, the last 20 of them are ch02..ch21.
        Assert.Equal(new LearnedTokens(9000, 20), learned);
        Assert.Null(new MediaAssetStore(h.Workspace.Database, h.Temp.Paths).LearnedOutputTokens("gpt-image-2", "1920x1088", "high"));
    }

    [Fact]
    public async Task A_dearer_call_than_the_learned_estimate_still_grows_later_reservations()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(6, _ => "diagram", i => $"istem {i}"));
        h.Server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1920, 1088), inputTokens: 50, outputTokens: 1000));
        await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1, Named = ["ch01"] });
        var learned = h.Stage().Plan("ep1", new ImageGenSelection()).Profile.EstimatedCostUsd; // 1,000 tokens: $0.031
        // The next image bills 3x that; under a cap of four learned estimates, the grown reservations stop the run
        // before it could pass the cap.
        h.Server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ImageBase64(TestImages.Png(1920, 1088), inputTokens: 50, outputTokens: 3000));
        var spent = new PipelineRunStore(h.Workspace.Database).TotalCostUsd("ep1");

        var (summary, _) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1, MaxCostUsd = spent + (4 * learned) });

        Assert.True(summary.CostUsd <= 4 * learned, $"spent {summary.CostUsd} under a room of {4 * learned}");
        Assert.Equal(1, summary.Generated);
        Assert.True(summary.CostLimited > 0);
    }

    [Theory]
    [InlineData("gpt-image-2.6-sunburst", "xhigh")]
    [InlineData("gpt-image-2.5-flare", "max")]
    [InlineData("gpt-image-2.6-flare", "medium")]
    public async Task The_newer_models_send_their_quality_as_named_and_are_budgeted_above_what_they_bill(string model, string quality)
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(2, _ => "diagram", i => $"istem {i}"));
        h.Environment["BTCEDU_IMAGE_MODEL"] = model;
        h.Environment["BTCEDU_IMAGE_QUALITY"] = quality;

        var plan = h.Stage().Plan("ep1", new ImageGenSelection());
        var (summary, _) = await h.RunAsync();

        Assert.Equal(2, summary.Generated);
        Assert.All(h.ImageRequests, r => Assert.Equal(quality, JsonNode.Parse(r.Body)!["quality"]!.GetValue<string>()));
        Assert.True(plan.EstimatedCostUsd >= summary.CostUsd, $"{model} {quality}: reserved {plan.EstimatedCostUsd}, billed {summary.CostUsd}");
    }

    public static TheoryData<string, string> SpendRefusals => new()
    {
        { "organization_spend_limit_exceeded", "insufficient_quota" },
        { "project_spend_limit_exceeded", "insufficient_quota" },
        { "organization_usage_limit_exceeded", "invalid_request_error" },
        { "credit_balance_exhausted", "billing_error" },
    };

    [Theory]
    [MemberData(nameof(SpendRefusals))]
    public async Task A_spend_or_usage_refusal_stops_the_run_like_insufficient_quota_whatever_its_type(string code, string type)
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(9, _ => "diagram", i => $"istem {i}"));
        h.Server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.SpendLimit(code, type));

        var (summary, results) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 3 });

        Assert.Equal("QuotaExhausted", summary.StoppedBy?.ErrorId);
        Assert.Contains(code, summary.StoppedBy!.Message, StringComparison.Ordinal);
        Assert.InRange(h.ImageRequests.Count, 1, 3);   // at most one call per worker, never retried
        Assert.Equal(0, summary.Failed);
        Assert.All(results, r => Assert.NotEqual(ImageStatus.Failed, r.Status));
        Assert.Equal(EpisodeStatus.CHAPTERIZED, h.Workspace.Episodes.Get("ep1").Status);
    }

    [Fact]
    public async Task The_fakes_exhausted_quota_answers_with_the_configured_code()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(3, _ => "diagram", i => $"istem {i}"));
        h.Server.Images.QuotaExhausted = true;
        h.Server.Images.QuotaCode = "credit_balance_exhausted";

        var (summary, _) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });

        Assert.Equal("QuotaExhausted", summary.StoppedBy?.ErrorId);
        Assert.Contains("no prepaid credit left", summary.StoppedBy!.Message, StringComparison.Ordinal);
        Assert.Single(h.ImageRequests);
    }

    [Theory]
    [InlineData("slow_down")]
    [InlineData("server_is_overloaded")]
    public async Task Slow_down_and_an_overloaded_server_pause_every_worker_for_retry_after_and_are_retried(string code)
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(8, _ => "diagram", i => $"istem {i}"));
        h.Server.Images.Latency = TimeSpan.FromMilliseconds(100);
        h.Server.EnqueueImages(code == "slow_down" ? FakeResponse.SlowDown(1) : FakeResponse.Overloaded(1));

        var (summary, _) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 4 });

        Assert.Equal(8, summary.Generated);
        Assert.Equal(0, summary.Failed);
        var received = h.ImageRequests.Select(r => r.ReceivedAt).Order().ToList();
        Assert.Equal(9, received.Count); // the refused call was retried
        // At most the other three of the first batch were in flight; every later request waited out the second.
        Assert.True(received[4] - received[0] >= TimeSpan.FromMilliseconds(900), $"a request came {received[4] - received[0]} after the {code}");
        Assert.Contains(h.Log, l => l.Contains("pauses every call", StringComparison.Ordinal) && l.Contains(code, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_moderation_block_keeps_its_stage_and_categories_on_the_failed_chapter_and_is_not_retried()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(3, _ => "diagram", i => $"istem {i}"));
        h.Server.EnqueueImages(FakeResponse.ModerationBlocked("output", "violence", "self-harm"));

        var (summary, results) = await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });

        Assert.Equal((1, 2), (summary.Failed, summary.Generated));
        Assert.Equal(3, h.ImageRequests.Count); // the block was not retried
        var failed = results.Single(r => r.Status == ImageStatus.Failed);
        Assert.Contains("moderation stage output; categories: violence, self-harm", failed.Error, StringComparison.Ordinal);
        Assert.Contains("generated image", failed.Error, StringComparison.Ordinal);
        var entry = h.Manifest()["images"]!.AsArray().Single(e => e!["status"]!.GetValue<string>() == "failed")!;
        Assert.Equal("output", entry["moderation"]!["stage"]!.GetValue<string>());
        Assert.Equal(["violence", "self-harm"], entry["moderation"]!["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Contains("violence", entry["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(h.Manifest()["images"]!.AsArray().Where(e => e!["status"]!.GetValue<string>() != "failed"), e => Assert.Null(e!["moderation"]));

        // The operator sees why on the gallery card, without opening logs.
        var gallery = Path.Combine(h.Temp.Root, "gallery");
        h.Workspace.GalleryExporter().Export(["ep1"], gallery);
        var page = string.Join("\n", Directory.GetFiles(gallery, "*.html", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.Contains("moderation stage output; categories: violence, self-harm", page, StringComparison.Ordinal);
    }
}
