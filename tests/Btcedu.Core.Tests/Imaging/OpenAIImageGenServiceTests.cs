using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Btcedu.Core.Imaging;
using Btcedu.Core.Models;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Workspace;
using Microsoft.Extensions.Time.Testing;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Imaging;

/// <summary>The real OpenAI SDK and Polly pipeline against a scripted loopback server.</summary>
public sealed class OpenAIImageGenServiceTests : IAsyncLifetime
{
    private const string Key = "sk-test-DO-NOT-LEAK-7f3a9c2e";
    private FakeOpenAIServer _server = null!;
    private readonly ConcurrentQueue<string> _log = new();

    public async Task InitializeAsync() => _server = await FakeOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly OpenAIServiceOptions Fast = new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromSeconds(2),
        AttemptTimeout = TimeSpan.FromSeconds(3),
        OverallTimeout = TimeSpan.FromSeconds(10),
        DownloadTimeout = TimeSpan.FromSeconds(2),
    };

    private BtceduSettings Settings(string model = "gpt-image-2") => new()
    {
        OpenAiBaseUrl = _server.BaseUrl,
        OpenAiApiKey = new Secret(Key),
        ImageModel = model,
        ImageTimeoutSeconds = 5,
    };

    private OpenAIImageGenService Service(string model = "gpt-image-2", OpenAIServiceOptions? options = null, TimeProvider? time = null) =>
        new(Settings(model), options ?? Fast, time, _log.Enqueue);

    private ImageGenRequest Request(string model = "gpt-image-2", string? size = null, string? quality = null, string? style = null) =>
        ImageRequestProfile.Resolve(model, size, quality, style, ModelCatalog.Shipped).ToRequest("A Bitcoin block chain drawn as linked boxes");

    private static ImageRequestProfile Profile(string model = "gpt-image-2") => ImageRequestProfile.Resolve(model, null, null, null, ModelCatalog.Shipped);

    private static JsonElement Body(RecordedRequest r) => JsonDocument.Parse(r.Body).RootElement;

    /// <summary>The service hands over the image as delivered; the run's local stage normalises it to the frame.</summary>
    private static void AssertFullHd(ImageGenResult result)
    {
        Assert.NotNull(result.Image);
        var png = ImageNormalizer.Normalize(result.Image).Png;
        Assert.True(TestImages.IsPng(png));
        Assert.Equal((1920, 1080), TestImages.Size(png));
    }

    [Fact]
    public async Task Gpt_image_2_asks_for_1920x1088_crops_to_1080p_and_costs_its_reported_tokens()
    {
        // Unscripted: the fake answers as today's API does, with usage that grows with pixels and quality.
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        AssertFullHd(result);
        Assert.Equal((1920, 1088), TestImages.Size(result.Image!));
        Assert.Equal(1, result.Attempts);
        var expectedOutput = (long)FakeImageApi.OutputTokens("gpt-image-2", 1920, 1088, "medium");
        Assert.Equal(expectedOutput, result.OutputTokens);
        Assert.Equal(new ImageTokenUsage(result.Usage!.TextInputTokens, 0, expectedOutput), result.Usage);
        Assert.Equal(((result.Usage.TextInputTokens * 5m) + (expectedOutput * 30m)) / 1_000_000m, result.CostUsd);
        Assert.False(result.CostEstimated);
        Assert.Null(result.ErrorMessage);

        var sent = Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
        Assert.Equal($"Bearer {Key}", sent.Header("Authorization"));
        var body = Body(sent);
        Assert.Equal("gpt-image-2", body.GetProperty("model").GetString());
        Assert.Equal("A Bitcoin block chain drawn as linked boxes", body.GetProperty("prompt").GetString());
        Assert.Equal("1920x1088", body.GetProperty("size").GetString());
        Assert.Equal("medium", body.GetProperty("quality").GetString());
        Assert.False(body.TryGetProperty("response_format", out _));
        Assert.False(body.TryGetProperty("style", out _));
    }

    [Fact]
    public async Task The_service_needs_only_an_endpoint_record_and_the_catalogue()
    {
        using var service = new OpenAIImageGenService(new OpenAIEndpoint(_server.BaseUrl, new Secret(Key), TimeSpan.FromSeconds(5)), ModelCatalog.Shipped, Fast);

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal("OpenAiApiKeyMissing", Assert.Throws<BtceduException>(() => OpenAIEndpoint.From(new BtceduSettings())).ErrorId);
    }

    [Fact]
    public async Task GptImage_url_answer_is_downloaded_from_the_endpoint_host()
    {
        var url = _server.AddFile("gpt.png", FakeResponse.File(TestImages.Png(1536, 1024)));
        _server.EnqueueImages(FakeResponse.ImageUrl(url, inputTokens: 10, outputTokens: 20));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(quality: "high"), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        AssertFullHd(result);
        Assert.Equal(((10 * 5m) + (20 * 30m)) / 1_000_000m, result.CostUsd);
        var download = Assert.Single(_server.RequestsTo("/files/gpt.png"));
        Assert.Null(download.Header("Authorization")); // the key goes to the API only, never to a download host
    }

    [Fact]
    public async Task DallE3_base64_succeeds_with_revised_prompt_and_the_dalle3_request_shape()
    {
        _server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1792, 1024), revisedPrompt: "A revised prompt"));
        using var service = Service("dall-e-3");

        var result = await service.GenerateImageAsync(Request("dall-e-3", quality: "hd", style: "natural"), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        AssertFullHd(result);
        Assert.Equal((1792, 1024), TestImages.Size(result.Image!));
        Assert.Equal("A revised prompt", result.RevisedPrompt);
        Assert.Null(result.InputTokens);
        Assert.Equal(0.120m, result.CostUsd);
        var body = Body(Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath)));
        Assert.Equal("dall-e-3", body.GetProperty("model").GetString());
        Assert.Equal("1792x1024", body.GetProperty("size").GetString());
        Assert.Equal("hd", body.GetProperty("quality").GetString());
        Assert.Equal("natural", body.GetProperty("style").GetString());
        Assert.Equal("b64_json", body.GetProperty("response_format").GetString());
    }

    [Fact]
    public async Task DallE3_url_answer_is_downloaded()
    {
        var url = _server.AddFile("dalle.jpg", FakeResponse.File(TestImages.Jpeg(1792, 1024), "image/jpeg"));
        _server.EnqueueImages(FakeResponse.ImageUrl(url, revisedPrompt: "revised"));
        using var service = Service("dall-e-3");

        var result = await service.GenerateImageAsync(Request("dall-e-3"), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        AssertFullHd(result);
        Assert.Equal(0.080m, result.CostUsd);
        Assert.Equal("revised", result.RevisedPrompt);
    }

    [Fact]
    public async Task Rate_limited_twice_then_success_waits_as_retry_after_ms_asks()
    {
        _server.EnqueueImages(
            FakeResponse.RateLimited(retryAfterMs: 300),
            FakeResponse.RateLimited(retryAfterMs: 300),
            FakeResponse.ImageBase64(TestImages.Png(1536, 1024)));
        using var service = Service();
        var clock = Stopwatch.StartNew();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, _server.RequestsTo(FakeOpenAIServer.ImagesPath).Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(550), $"waited only {clock.Elapsed}");
        var retries = _log.Where(l => l.Contains("retrying", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, l => Assert.Contains("HTTP 429", l));
        Assert.All(retries, l => Assert.Contains("retrying in 0.3s (as Retry-After asks)", l));
        Assert.Equal(Profile().EstimatedCostUsd, result.CostUsd); // no usage reported: the estimate
        Assert.True(result.CostEstimated);
    }

    [Fact]
    public async Task Retry_after_seconds_is_honoured_on_the_injected_clock_without_real_waiting()
    {
        _server.EnqueueImages(FakeResponse.RateLimited(retryAfterSeconds: 30), FakeResponse.ImageBase64(TestImages.Png(1536, 1024)));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var service = Service(options: Fast with { MaxDelay = TimeSpan.FromMinutes(1), AttemptTimeout = TimeSpan.FromMinutes(1), OverallTimeout = TimeSpan.FromMinutes(5) }, time: time);
        var real = Stopwatch.StartNew();
        var started = time.GetUtcNow();

        var task = service.GenerateImageAsync(Request(), CancellationToken.None);
        // Advance the fake clock in steps until the retry's 30 s wait has passed. The real bound is the 30 s a real
        // wait would take: under it, the wait was on the injected clock, however slow the machine.
        while (!task.IsCompleted && real.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
            if (_server.RequestsTo(FakeOpenAIServer.ImagesPath).Count == 1 && _log.Any(l => l.Contains("retrying", StringComparison.Ordinal)))
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }
        var result = await task;

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.Attempts);
        Assert.Contains(_log, l => l.Contains("retrying in 30s (as Retry-After asks)", StringComparison.Ordinal));
        Assert.True(time.GetUtcNow() - started >= TimeSpan.FromSeconds(30), $"waited {time.GetUtcNow() - started} on the fake clock");
        Assert.True(real.Elapsed < TimeSpan.FromSeconds(30), $"waited {real.Elapsed} of real time");
    }

    [Fact]
    public async Task Rate_limited_on_every_attempt_is_RateLimited_after_exactly_four_requests()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.RateLimited());
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.RateLimited, result.Outcome);
        Assert.Equal(4, result.Attempts);
        Assert.Equal(4, _server.RequestsTo(FakeOpenAIServer.ImagesPath).Count);
        Assert.Null(result.Image);
        Assert.Equal(0m, result.CostUsd);
        Assert.Contains("rate limited", result.ErrorMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, _log.Count(l => l.Contains("retrying", StringComparison.Ordinal) && l.Contains("backoff", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("content_policy_violation")]
    [InlineData("moderation_blocked")]
    public async Task Content_policy_rejection_is_not_retried(string code)
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ContentPolicy(code));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.ContentPolicyRejected, result.Outcome);
        Assert.Equal(1, result.Attempts);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
        Assert.Contains("rejected as a result of our safety system", result.ErrorMessage);
        Assert.Equal(0m, result.CostUsd);
        Assert.DoesNotContain(_log, l => l.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Safety_system_message_without_a_code_is_a_content_policy_rejection()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.Error(400, null, "This request has been blocked by our safety system."));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.ContentPolicyRejected, result.Outcome);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Server_error_then_success_is_retried(int status)
    {
        _server.EnqueueImages(FakeResponse.ServerError(status), FakeResponse.ImageBase64(TestImages.Png(1536, 1024)));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.Attempts);
        Assert.Contains(_log, l => l.Contains($"HTTP {status}", StringComparison.Ordinal) && l.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_error_on_every_attempt_is_Failed_after_four_requests()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ServerError(502));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Equal(4, _server.RequestsTo(FakeOpenAIServer.ImagesPath).Count);
        Assert.Contains("HTTP 502", result.ErrorMessage);
    }

    [Fact]
    public async Task Hung_response_is_TimedOut_within_the_overall_deadline()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ImageBase64(TestImages.Png(16, 16)).WithDelay(TimeSpan.FromSeconds(60)));
        using var service = Service(options: Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(400), OverallTimeout = TimeSpan.FromSeconds(1) });
        var clock = Stopwatch.StartNew();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.TimedOut, result.Outcome);
        // Not a speed check: under the 60 s the server hangs, the deadline ended the call, however slow the machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.InRange(result.Attempts, 2, 4);
        Assert.Contains(_log, l => l.Contains("timeout", StringComparison.Ordinal) && l.Contains("retrying", StringComparison.Ordinal));
        // Each timed-out attempt may have been billed: it counts at the estimate, labelled as such.
        Assert.Equal(result.Attempts, result.TimedOutAttempts);
        Assert.Equal(result.Attempts * Profile().EstimatedCostUsd, result.CostUsd);
        Assert.True(result.CostEstimated);
        Assert.Contains("image_timeout_seconds", result.ErrorMessage);
    }

    [Fact]
    public async Task Attempt_timeouts_exhaust_the_retries_then_TimedOut()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ImageBase64(TestImages.Png(16, 16)).WithDelay(TimeSpan.FromSeconds(60)));
        using var service = Service(options: Fast with { AttemptTimeout = TimeSpan.FromMilliseconds(150), OverallTimeout = TimeSpan.FromSeconds(10) });

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.TimedOut, result.Outcome);
        Assert.Equal(4, result.Attempts);
    }

    [Fact]
    public async Task One_hung_attempt_then_success_is_retried()
    {
        _server.EnqueueImages(
            FakeResponse.ImageBase64(TestImages.Png(16, 16)).WithDelay(TimeSpan.FromSeconds(60)),
            FakeResponse.ImageBase64(TestImages.Png(1536, 1024)));
        // 2 s, not less: the good answer (2 MB of base64) must never race the timeout that ends the hung one.
        using var service = Service(options: Fast with { AttemptTimeout = TimeSpan.FromSeconds(2) });

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task A_delivered_image_is_handed_over_undecoded_and_costed()
    {
        // Decoding is the run's local work (a truncated body fails its chapter there); the call only bills and hands over.
        var png = TestImages.Png(1536, 1024);
        _server.EnqueueImages(FakeResponse.ImageBase64(png[..(png.Length / 2)]));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal(png[..(png.Length / 2)], result.Image);
        Assert.Equal(Profile().EstimatedCostUsd, result.CostUsd); // the API billed for it
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
    }

    [Fact]
    public async Task Oversized_base64_image_is_Failed()
    {
        _server.EnqueueImages(FakeResponse.ImageBase64(TestImages.NoisePng(200, 200)));
        using var service = Service(options: Fast with { MaxImageBytes = 50_000 });

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Null(result.Image);
        Assert.Contains("size cap", result.ErrorMessage);
    }

    [Fact]
    public async Task Oversized_download_is_Failed()
    {
        var url = _server.AddFile("big.png", FakeResponse.File(TestImages.NoisePng(200, 200)));
        _server.EnqueueImages(FakeResponse.ImageUrl(url));
        using var service = Service(options: Fast with { MaxImageBytes = 50_000 });

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Contains("size cap", result.ErrorMessage);
    }

    [Fact]
    public async Task Hung_download_is_Failed_after_the_download_timeout()
    {
        var url = _server.AddFile("slow.png", FakeResponse.File(TestImages.Png(64, 64)).WithDelay(TimeSpan.FromSeconds(60)));
        _server.EnqueueImages(FakeResponse.ImageUrl(url));
        using var service = Service(options: Fast with { DownloadTimeout = TimeSpan.FromMilliseconds(300) });
        var clock = Stopwatch.StartNew();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Contains("took longer than", result.ErrorMessage);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}"); // the download's own 60 s delay was not waited out
    }

    [Fact]
    public async Task Plain_http_url_on_another_host_is_refused_without_fetching()
    {
        _server.EnqueueImages(FakeResponse.ImageUrl(new Uri("http://images.example.invalid/a.png?sig=SECRETSIG")));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Contains("refused to download http://images.example.invalid/a.png", result.ErrorMessage);
        Assert.DoesNotContain("SECRETSIG", result.ErrorMessage); // signed query strings are not shown
    }

    [Fact]
    public async Task Unauthorized_is_Failed_without_retry_and_says_to_set_the_key()
    {
        // Real gateways sometimes echo the key they were sent; the service must not pass it on.
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.Error(401, "invalid_api_key", $"Incorrect API key provided: {Key}.", "invalid_request_error"));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.KeyRejected, result.Outcome);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
        Assert.Contains("OPENAI_API_KEY", result.ErrorMessage);
        Assert.DoesNotContain(Key, result.ErrorMessage);
        Assert.Contains("[redacted]", result.ErrorMessage);
    }

    [Fact]
    public async Task Forbidden_is_KeyRejected_without_retry()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.Error(403, null, "Your organization must be verified to use the model `gpt-image-1`."));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.KeyRejected, result.Outcome);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
        Assert.Contains("organisation", result.ErrorMessage);
    }

    [Fact]
    public async Task Retired_model_404_is_ModelUnavailable_without_retry_and_names_the_replacement()
    {
        // Unscripted: the fake no longer serves dall-e-3, as OpenAI does not.
        using var service = Service("dall-e-3");

        var result = await service.GenerateImageAsync(Request("dall-e-3"), CancellationToken.None);

        Assert.Equal(ApiOutcome.ModelUnavailable, result.Outcome);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
        Assert.Contains("model_not_found", result.ErrorMessage);
        Assert.Contains("gpt-image-2.5-sunburst", result.ErrorMessage);
    }

    [Fact]
    public async Task Quota_exhausted_429_is_not_retried()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.Error(429, "insufficient_quota", "You exceeded your current quota.", "insufficient_quota"));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.QuotaExhausted, result.Outcome);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
        Assert.Contains("quota", result.ErrorMessage);
    }

    [Fact]
    public async Task Malformed_json_answer_is_Failed()
    {
        _server.EnqueueImages(FakeResponse.Raw(200, "{\"data\": [ {\"b64_json\": "));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ImagesPath));
    }

    [Fact]
    public async Task Refused_connection_is_retried_then_Failed()
    {
        // A port that was free a moment ago and has nothing listening now.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var settings = Settings() with { OpenAiBaseUrl = new Uri($"http://127.0.0.1:{port}/v1") };
        using var service = new OpenAIImageGenService(settings, Fast, null, _log.Enqueue);

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Equal(4, result.Attempts);
        Assert.Contains("Could not reach", result.ErrorMessage);
        Assert.Equal(3, _log.Count(l => l.Contains("network error", StringComparison.Ordinal) && l.Contains("retrying", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Wrong_size_output_is_normalised_to_1920x1080_by_cover_and_centre_crop()
    {
        // Asked for 1536x1024, got a square: cover scales it to 1920x1920 and crops top and bottom.
        _server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1024, 1024)));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        AssertFullHd(result);
        var normalised = ImageNormalizer.Normalize(result.Image!);
        Assert.Equal("1024x1024", normalised.SourceSize);
        Assert.Equal(SkiaSharp.SKColors.Red, TestImages.Pixel(normalised.Png, 100, 540));
        Assert.Equal(SkiaSharp.SKColors.Blue, TestImages.Pixel(normalised.Png, 1820, 540));
    }

    [Fact]
    public async Task Key_never_appears_in_any_log_line_or_result()
    {
        _server.EnqueueImages(
            FakeResponse.Error(500, null, $"upstream said: key {Key} failed", "server_error"),
            FakeResponse.Error(429, "rate_limit_exceeded", $"Rate limited for {Key}", "requests"),
            FakeResponse.Error(401, "invalid_api_key", $"Incorrect API key provided: {Key}."));
        using var service = Service();

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.KeyRejected, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.All(_server.RequestsTo(FakeOpenAIServer.ImagesPath), r => Assert.Equal($"Bearer {Key}", r.Header("Authorization")));
        Assert.NotEmpty(_log);
        Assert.All(_log, l => Assert.DoesNotContain(Key, l));
        Assert.All(_log, l => Assert.DoesNotContain("DO-NOT-LEAK", l));
        Assert.DoesNotContain(Key, result.ToString());
        Assert.DoesNotContain(Key, result.ErrorMessage);
        Assert.DoesNotContain(Key, Settings().ToString());
    }

    [Fact]
    public async Task Invalid_request_throws_before_any_call()
    {
        using var service = Service();

        var ex = await Assert.ThrowsAsync<BtceduException>(() =>
            service.GenerateImageAsync(new ImageGenRequest("prompt", "gpt-image-2", "1920x1080", "medium", null), CancellationToken.None));

        Assert.Equal("ImageSizeInvalid", ex.ErrorId);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_model_outside_the_catalogue_throws_before_any_call()
    {
        using var service = Service("gpt-image-9");

        var ex = await Assert.ThrowsAsync<BtceduException>(() =>
            service.GenerateImageAsync(new ImageGenRequest("prompt", "gpt-image-9", "1536x1024", "medium", null), CancellationToken.None));

        Assert.Equal("ImageModelUnsupported", ex.ErrorId);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Caller_cancellation_throws()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ImageBase64(TestImages.Png(16, 16)).WithDelay(TimeSpan.FromSeconds(60)));
        using var service = Service();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.GenerateImageAsync(Request(), cts.Token));
    }

    [Fact]
    public void Missing_key_is_an_error_at_construction()
    {
        var ex = Assert.Throws<BtceduException>(() => new OpenAIImageGenService(Settings() with { OpenAiApiKey = null }));
        Assert.Equal("OpenAiApiKeyMissing", ex.ErrorId);
        Assert.Contains("OPENAI_API_KEY", ex.Message);
    }
}
