using System.Collections.Concurrent;
using Btcedu.Core.Imaging;
using Btcedu.Core.Models;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Settings;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Imaging;

/// <summary>Retry lines name the episode and chapter whose call they are about, also when chapters run concurrently.</summary>
public sealed class LogContextTests : IAsyncLifetime
{
    private FakeOpenAIServer _server = null!;
    private readonly ConcurrentQueue<string> _log = new();

    public async Task InitializeAsync() => _server = await FakeOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenAIImageGenService Service() => new(
        new BtceduSettings { OpenAiBaseUrl = _server.BaseUrl, OpenAiApiKey = new Secret("sk-test-log-context"), ImageTimeoutSeconds = 5 },
        new OpenAIServiceOptions { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromSeconds(1), AttemptTimeout = TimeSpan.FromSeconds(3), OverallTimeout = TimeSpan.FromSeconds(10) },
        null, _log.Enqueue);

    private static ImageGenRequest Request() =>
        ImageRequestProfile.Resolve("gpt-image-2", null, null, null, ModelCatalog.Shipped).ToRequest("linked boxes");

    [Fact]
    public async Task A_retry_line_names_the_chapter_of_its_scope_and_only_inside_it()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.RateLimited());
        using var service = Service();

        using (LogContext.Begin("ep1/ch04"))
        {
            await service.GenerateImageAsync(Request(), CancellationToken.None);
        }
        var inside = _log.ToList();
        _log.Clear();
        await service.GenerateImageAsync(Request(), CancellationToken.None);

        Assert.Contains(inside, l => l.StartsWith("ep1/ch04: image: attempt 1 of 4 failed", StringComparison.Ordinal));
        Assert.All(inside, l => Assert.StartsWith("ep1/ch04: ", l, StringComparison.Ordinal));
        Assert.Contains(_log, l => l.StartsWith("image: attempt 1 of 4 failed", StringComparison.Ordinal));
        Assert.Null(LogContext.Subject);
    }

    [Fact]
    public async Task Concurrent_chapters_each_keep_their_own_name()
    {
        _server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ServerError(503));
        using var service = Service();

        await Task.WhenAll(new[] { "ch01", "ch02", "ch03" }.Select(async id =>
        {
            using var scope = LogContext.Begin("ep1/" + id);
            await Task.Yield();
            await service.GenerateImageAsync(Request(), CancellationToken.None);
        }));

        foreach (var id in new[] { "ch01", "ch02", "ch03" })
        {
            Assert.Equal(3, _log.Count(l => l.StartsWith($"ep1/{id}: image: attempt", StringComparison.Ordinal)));
        }
    }
}
