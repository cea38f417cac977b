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

        Assert.Equal(ImageGenOutcome.Succeeded, result.Outcome);
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
