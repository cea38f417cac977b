using System.Collections.Concurrent;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Imaging;

/// <summary>Credentials written into openai_base_url never reach a message or a log line (issue 11, item 8).</summary>
public sealed class UrlCredentialTests : IAsyncLifetime
{
    private const string User = "alice-ops";
    private const string Password = "pw-S3CRET-in-url";
    private FakeOpenAIServer _server = null!;
    private readonly ConcurrentQueue<string> _log = new();

    public async Task InitializeAsync() => _server = await FakeOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly OpenAIServiceOptions Fast = new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(3),
        OverallTimeout = TimeSpan.FromSeconds(10),
    };

    private static Uri WithCredentials(Uri baseUrl) => new UriBuilder(baseUrl) { UserName = User, Password = Password }.Uri;

    private static BtceduSettings Settings(Uri baseUrl) => new() { OpenAiBaseUrl = baseUrl, OpenAiApiKey = new Secret("sk-test-url-creds") };

    private static ImageGenRequest Request() =>
        ImageRequestProfile.Resolve("gpt-image-2", null, null, null, Btcedu.Core.Models.ModelCatalog.Shipped).ToRequest("A block chain as linked boxes");

    private void AssertNoCredentials(params string?[] texts)
    {
        foreach (var text in texts.Concat(_log))
        {
            Assert.DoesNotContain(Password, text ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(User + ":", text ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(User + "@", text ?? "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_dead_endpoint_with_credentials_never_shows_them()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var service = new OpenAIImageGenService(Settings(WithCredentials(new Uri($"http://127.0.0.1:{port}/v1"))), Fast, null, _log.Enqueue);

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Contains($"Could not reach http://127.0.0.1:{port}", result.ErrorMessage, StringComparison.Ordinal);
        Assert.NotEmpty(_log);
        AssertNoCredentials(result.ErrorMessage);
    }

    [Fact]
    public async Task An_unknown_model_answer_names_the_endpoint_without_credentials()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.Error(404, "model_not_found", $"No model at {WithCredentials(_server.BaseUrl)}"));
        using var service = new OpenAIImageGenService(Settings(WithCredentials(_server.BaseUrl)), Fast, null, _log.Enqueue);

        var result = await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.ModelUnavailable, result.Outcome);
        Assert.Contains("unknown or retired at http://127.0.0.1", result.ErrorMessage, StringComparison.Ordinal);
        AssertNoCredentials(result.ErrorMessage);
    }

    [Fact]
    public async Task The_text_service_scrubs_them_too()
    {
        _server.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.Error(500, "server_error", $"upstream {User}:{Password} failed"));
        using var service = new OpenAITextGenService(Settings(WithCredentials(_server.BaseUrl)), Fast, null, _log.Enqueue);

        var result = await service.CompleteAsync(new TextGenRequest("gpt-4o-mini", "system", "user", 0.2, 100), CancellationToken.None);

        Assert.NotNull(result.ErrorMessage);
        AssertNoCredentials(result.ErrorMessage);
    }

    [Fact]
    public void A_rejected_url_in_settings_is_shown_without_credentials()
    {
        using var temp = new TempWorkspace();
        var e = Assert.Throws<BtceduException>(() => SettingsLoader.Load(temp.Paths,
            new Dictionary<string, string?> { ["OPENAI_BASE_URL"] = $"ftp://{User}:{Password}@example.com/v1" }));
        Assert.Equal("InvalidSetting", e.ErrorId);
        AssertNoCredentials(e.Message);
    }

    [Fact]
    public void The_scrubber_masks_escaped_and_unescaped_forms()
    {
        var scrubber = new SecretScrubber("sk-x", new Uri("http://bob:p%40ss%3Aword@host/v1"));
        Assert.Equal("[redacted] and [redacted] and [redacted]", scrubber.Scrub("bob:p%40ss%3Aword and p@ss:word and sk-x"));
        Assert.Equal("http://host/v1", SecretScrubber.Display(new Uri("http://bob:pw@host/v1?q=1"), UriPartial.Path));
    }
}
