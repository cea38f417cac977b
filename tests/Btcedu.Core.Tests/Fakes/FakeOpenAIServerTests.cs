using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Btcedu.Core.Imaging;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Workspace;

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
}
