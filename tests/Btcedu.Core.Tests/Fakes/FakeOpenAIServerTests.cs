using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Btcedu.Core.Imaging;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>The HTTP control API that Pester tests and a console host will use to script the server.</summary>
public sealed class FakeOpenAIServerTests
{
    [Fact]
    public async Task Control_api_scripts_responses_and_lists_recorded_requests()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Root };
        var image = Convert.ToBase64String(TestImages.Png(1536, 1024));
        var rateLimited = new { status = 429, headers = new Dictionary<string, string> { ["retry-after-ms"] = "10" }, body = """{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}""" };
        var success = new { status = 200, body = $$"""{"created":1,"data":[{"b64_json":"{{image}}"}]}""" };
        (await http.PostAsJsonAsync($"_fake/enqueue?path={FakeOpenAIServer.ImagesPath}", rateLimited)).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync($"_fake/enqueue?path={FakeOpenAIServer.ImagesPath}", success)).EnsureSuccessStatusCode();

        using var service = new OpenAIImageGenService(
            new BtceduSettings { OpenAiBaseUrl = server.BaseUrl, OpenAiApiKey = new Secret("sk-control") },
            new OpenAIServiceOptions { BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(3) });
        var result = await service.GenerateImageAsync(ImageRequestProfile.Resolve(new BtceduSettings(), new DateOnly(2026, 11, 25)).ToRequest("p"), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, result.Attempts);
        using var recorded = JsonDocument.Parse(await http.GetStringAsync("_fake/requests"));
        Assert.Equal(2, recorded.RootElement.GetArrayLength());
        Assert.Equal(FakeOpenAIServer.ImagesPath, recorded.RootElement[0].GetProperty("Path").GetString());

        (await http.PostAsync("_fake/reset", new StringContent("", Encoding.UTF8))).EnsureSuccessStatusCode();
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Unscripted_path_answers_404_in_openai_error_shape()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri(server.BaseUrl + "/models"));

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Contains("not_scripted", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"model":"gpt-image-2","prompt":"p","size":"1920x1080"}""", 400, "invalid_value")]
    [InlineData("""{"model":"gpt-image-2","prompt":"p","size":"3840x1264"}""", 400, "invalid_value")]
    [InlineData("""{"model":"gpt-image-2","prompt":"p","size":"1920x1088","response_format":"b64_json"}""", 400, "unknown_parameter")]
    [InlineData("""{"model":"gpt-image-1","prompt":"p","size":"1536x1024"}""", 404, "model_not_found")]
    [InlineData("""{"model":"dall-e-3","prompt":"p","size":"1792x1024"}""", 404, "model_not_found")]
    [InlineData("""{"model":"gpt-image-1.5","prompt":"p","size":"1920x1088"}""", 400, "invalid_value")]
    [InlineData("""{"model":"gpt-image-2","prompt":"p","size":"1920x1088"}""", 200, null)]
    public async Task The_emulated_images_api_answers_as_todays_openai(string body, int status, string? code)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient();

        var response = await http.PostAsync(new Uri(server.BaseUrl + "/images/generations"), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        if (code is not null)
        {
            Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Emulated_usage_grows_with_pixels_and_quality_and_the_limit_answers_429_with_ratelimit_headers()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Images.ImagesPerMinute = 3;
        using var http = new HttpClient();
        async Task<(HttpResponseMessage Response, JsonElement Body)> Post(string size, string quality)
        {
            var r = await http.PostAsync(new Uri(server.BaseUrl + "/images/generations"),
                new StringContent($$"""{"model":"gpt-image-2","prompt":"p","size":"{{size}}","quality":"{{quality}}"}""", Encoding.UTF8, "application/json"));
            return (r, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement);
        }

        var small = await Post("1024x1024", "medium");
        var large = await Post("2048x2048", "medium");
        var high = await Post("1024x1024", "high");
        var refused = await Post("1024x1024", "low");

        long Output(JsonElement b) => b.GetProperty("usage").GetProperty("output_tokens").GetInt64();
        Assert.True(Output(large.Body) > Output(small.Body));
        Assert.True(Output(high.Body) > Output(small.Body));
        Assert.Equal("2", small.Response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal(429, (int)refused.Response.StatusCode);
        Assert.Equal("rate_limit_exceeded", refused.Body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("0", refused.Response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal(1, server.Images.RateLimitHits);
    }
}

/// <summary>The seeded fault mode the soak drives (soak/Invoke-Soak.ps1) and the per-call log it counts from.</summary>
public sealed class FakeFaultsTests
{
    private const string Body = """{"model":"gpt-image-2","prompt":"PROMPT","size":"1920x1088","quality":"medium"}""";

    private static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> Post(HttpClient http, Uri url, string prompt = "p")
    {
        var r = await http.PostAsync(url, new StringContent(Body.Replace("PROMPT", prompt), Encoding.UTF8, "application/json"));
        return ((int)r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone(), r);
    }

    private static async Task Configure(HttpClient http, FakeOpenAIServer server, string json) =>
        (await http.PostAsync(new Uri(server.Root, "_fake/images"), new StringContent(json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

    private static async Task<List<string>> Outcomes(int seed, int n)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient();
        await Configure(http, server, $$$"""{"faults":{"seed":{{{seed}}},"serverError":0.2,"truncated":0.2,"quota":0.1}}""");
        for (var i = 0; i < n; i++)
        {
            await Post(http, new Uri(server.BaseUrl + "/images/generations"), $"prompt {i}");
        }
        return [.. server.ImageCalls.Select(c => c.Outcome)];
    }

    [Fact]
    public async Task The_same_seed_injects_the_same_faults_in_the_same_order_and_another_seed_others()
    {
        var first = await Outcomes(7, 40);
        var again = await Outcomes(7, 40);
        var other = await Outcomes(8, 40);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Contains("server_error", first);
        Assert.Contains("truncated", first);
        Assert.Contains("quota", first);
        Assert.Contains("ok", first);
    }

    [Fact]
    public async Task Each_fault_has_openais_shape_and_every_call_is_logged_with_its_outcome_and_tag()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient();
        var url = new Uri(server.Root, "r/run7/v1/images/generations");

        await Configure(http, server, """{"faults":{"seed":1,"serverError":1}}""");
        var error = await Post(http, url);
        Assert.True(error.Status is 500 or 503);
        Assert.Equal("server_error", error.Body.GetProperty("error").GetProperty("type").GetString());

        await Configure(http, server, """{"faults":{"seed":1,"quota":1}}""");
        var quota = await Post(http, url);
        Assert.Equal(429, quota.Status);
        Assert.Equal("insufficient_quota", quota.Body.GetProperty("error").GetProperty("code").GetString());

        await Configure(http, server, """{"faults":{"seed":1,"contentPolicy":1}}""");
        var rejected = await Post(http, url);
        Assert.Equal(400, rejected.Status);
        Assert.Equal("moderation_blocked", rejected.Body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("input", rejected.Body.GetProperty("error").GetProperty("moderation_details").GetProperty("moderation_stage").GetString());

        await Configure(http, server, """{"faults":{"seed":1,"truncated":1}}""");
        var truncated = await Post(http, url);
        Assert.Equal(200, truncated.Status);
        Assert.True(truncated.Body.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0, "a truncated image is billed");
        var half = Convert.FromBase64String(truncated.Body.GetProperty("data")[0].GetProperty("b64_json").GetString()!);
        Assert.True(TestImages.IsPng(half));
        Assert.False(TestImages.DecodesCompletely(half));

        await Configure(http, server, """{"faults":{"seed":1,"storm":1,"stormMs":3000}}""");
        var storm = await Post(http, url);
        await Configure(http, server, """{"faults":{"seed":1,"storm":0,"stormMs":3000}}""");
        var calm = await Post(http, url);
        Assert.Equal(429, storm.Status);
        Assert.Equal("rate_limit_exceeded", storm.Body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("3", storm.Response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(200, calm.Status);

        var calls = server.ImageCalls;
        Assert.Equal(new[] { "server_error", "quota", "content_policy", "truncated", "storm", "ok" }, calls.Select(c => c.Outcome));
        Assert.All(calls, c => Assert.Equal("run7", c.Tag));
        Assert.All(calls, c => Assert.True(c.Delivered));
        Assert.Equal(new long?[] { null, null, null, null, null, 2 }, calls.Select(c => c.ImageId)); // the truncated image took id 1
        Assert.Equal("/v1/images/generations", server.Requests[0].Path);
    }

    [Fact]
    public async Task A_storm_refuses_every_request_in_its_window_and_the_content_filter_is_per_prompt()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient();
        var url = new Uri(server.BaseUrl + "/images/generations");
        server.Images.Faults = new FakeFaults { Seed = 3, Storm = 0.5, StormMs = 60_000 };
        var statuses = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add((await Post(http, url, $"p{i}")).Status);
        }
        var first = statuses.IndexOf(429);
        Assert.True(first >= 0);
        Assert.All(statuses.Skip(first), s => Assert.Equal(429, s));
        Assert.Equal(10 - first, server.Images.Injected["storm"]);

        var filter = new FakeFaults { Seed = 3, ContentPolicy = 0.5 };
        var prompts = Enumerable.Range(0, 200).Select(i => $"prompt {i}").ToList();
        var rejected = prompts.Where(filter.RejectsPrompt).ToList();
        Assert.InRange(rejected.Count, 60, 140);
        Assert.Equal(rejected, prompts.Where(filter.RejectsPrompt));
        Assert.NotEqual(rejected, prompts.Where((filter with { Seed = 4 }).RejectsPrompt));
    }

    [Fact]
    public async Task A_hang_outlasts_the_clients_timeout_and_is_logged_undelivered_while_images_carry_their_id()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };
        var url = new Uri(server.BaseUrl + "/images/generations");
        server.Images.Faults = new FakeFaults { Seed = 1, Hang = 1, HangMs = 5000 };
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => Post(http, url));
        server.Images.Faults = new FakeFaults { Seed = 1 };
        using var patient = new HttpClient(); // the good answer must not race the short timeout meant for the hang
        var ok = await Post(patient, url);
        for (var i = 0; i < 100 && server.ImageCalls.Count < 2; i++)
        {
            await Task.Delay(20); // the aborted hang is logged when the server notices the client left
        }

        var calls = server.ImageCalls;
        var hang = Assert.Single(calls, c => c.Outcome == "hang");
        Assert.False(hang.Delivered);
        var image = Assert.Single(calls, c => c.Outcome == "ok");
        Assert.True(image.Delivered);
        var png = Convert.FromBase64String(ok.Body.GetProperty("data")[0].GetProperty("b64_json").GetString()!);
        Assert.Equal((1920, 1088), TestImages.Size(png));
        Assert.True(TestImages.DecodesCompletely(png));
        var pixel = TestImages.Pixel(png, 960, 540);
        Assert.Equal(image.ImageId, (pixel.Red << 16) | (pixel.Green << 8) | pixel.Blue);
    }

    [Fact]
    public async Task Without_faults_the_api_answers_as_before_and_logs_ok()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient();
        var ok = await Post(http, new Uri(server.BaseUrl + "/images/generations"));
        Assert.Equal(200, ok.Status);
        var call = Assert.Single(server.ImageCalls);
        Assert.Equal("ok", call.Outcome);
        Assert.Null(call.ImageId);
        Assert.Null(call.Tag);
        Assert.All(FakeFaults.Kinds, k => Assert.Equal(0, server.Images.Injected[k]));
    }
}
