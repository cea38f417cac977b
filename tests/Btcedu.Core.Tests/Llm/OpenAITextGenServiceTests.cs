using System.Collections.Concurrent;
using System.Text.Json;
using Btcedu.Core.Llm;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Llm;

public sealed class OpenAITextGenServiceTests : IAsyncLifetime
{
    private const string Key = "sk-test-LLM-SECRET-91d0";
    private FakeOpenAIServer _server = null!;
    private readonly ConcurrentQueue<string> _log = new();

    public async Task InitializeAsync() => _server = await FakeOpenAIServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenAITextGenService Service(OpenAIServiceOptions? options = null) => new(
        new BtceduSettings { OpenAiBaseUrl = _server.BaseUrl, OpenAiApiKey = new Secret(Key) },
        options ?? new OpenAIServiceOptions { BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(3), OverallTimeout = TimeSpan.FromSeconds(10) },
        null,
        _log.Enqueue);

    private static TextGenRequest Request(string model = "gpt-4o-mini") =>
        new(model, "You write image prompts.", "Chapter: what a block is.", 0.4, 300);

    [Fact]
    public async Task Completion_succeeds_with_text_tokens_and_cost()
    {
        _server.EnqueueChat(FakeResponse.Chat("  A flat illustration of linked blocks.  ", promptTokens: 1_000, completionTokens: 2_000));
        using var service = Service();

        var result = await service.CompleteAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal("A flat illustration of linked blocks.", result.Text);
        Assert.Equal(1_000, result.InputTokens);
        Assert.Equal(2_000, result.OutputTokens);
        Assert.Equal(0.00135m, result.CostUsd); // 1000 × 0.15/M + 2000 × 0.60/M
        Assert.Equal(1, result.Attempts);

        var sent = Assert.Single(_server.RequestsTo(FakeOpenAIServer.ChatPath));
        Assert.Equal($"Bearer {Key}", sent.Header("Authorization"));
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
        Assert.Equal(0.4, body.GetProperty("temperature").GetDouble(), 3);
        var messages = body.GetProperty("messages");
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("user", messages[1].GetProperty("role").GetString());
        Assert.Equal("Chapter: what a block is.", messages[1].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Rate_limit_then_success_is_retried_by_the_shared_pipeline()
    {
        _server.EnqueueChat(FakeResponse.RateLimited(retryAfterMs: 50), FakeResponse.ServerError(), FakeResponse.Chat("ok"));
        using var service = Service();

        var result = await service.CompleteAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Succeeded, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(2, _log.Count(l => l.StartsWith("llm: attempt", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rate_limited_on_every_attempt_is_RateLimited_after_four_requests()
    {
        _server.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.RateLimited());
        using var service = Service();

        var result = await service.CompleteAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.RateLimited, result.Outcome);
        Assert.Equal(4, _server.RequestsTo(FakeOpenAIServer.ChatPath).Count);
        Assert.Equal(0m, result.CostUsd);
    }

    [Fact]
    public async Task Unauthorized_is_KeyRejected_without_retry_and_without_the_key()
    {
        _server.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.Error(401, "invalid_api_key", $"Incorrect API key provided: {Key}."));
        using var service = Service();

        var result = await service.CompleteAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.KeyRejected, result.Outcome);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ChatPath));
        Assert.Contains("OPENAI_API_KEY", result.ErrorMessage);
        Assert.DoesNotContain(Key, result.ErrorMessage);
        Assert.All(_log, l => Assert.DoesNotContain(Key, l));
    }

    [Fact]
    public async Task Content_filter_rejection_is_not_retried()
    {
        _server.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.Error(400, "content_filter", "The response was filtered due to the prompt triggering content management policy."));
        using var service = Service();

        var result = await service.CompleteAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.ContentPolicyRejected, result.Outcome);
        Assert.Single(_server.RequestsTo(FakeOpenAIServer.ChatPath));
    }

    [Fact]
    public async Task Truncated_answer_is_Failed_but_costed()
    {
        _server.EnqueueChat(FakeResponse.Chat("A flat illustration of", promptTokens: 100, completionTokens: 300, finishReason: "length"));
        using var service = Service();

        var result = await service.CompleteAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.Failed, result.Outcome);
        Assert.Null(result.Text);
        Assert.Contains("cut off", result.ErrorMessage);
        Assert.True(result.CostUsd > 0m);
    }

    [Fact]
    public async Task Hung_completion_is_TimedOut()
    {
        _server.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.Chat("late").WithDelay(TimeSpan.FromSeconds(60)));
        using var service = Service(new OpenAIServiceOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(10),
            AttemptTimeout = TimeSpan.FromMilliseconds(200),
            OverallTimeout = TimeSpan.FromMilliseconds(700),
        });

        var result = await service.CompleteAsync(Request(), CancellationToken.None);

        Assert.Equal(ApiOutcome.TimedOut, result.Outcome);
    }

    [Fact]
    public async Task Unknown_model_price_throws_before_any_call()
    {
        using var service = Service();

        var ex = await Assert.ThrowsAsync<BtceduException>(() => service.CompleteAsync(Request("gpt-5-unpriced"), CancellationToken.None));

        Assert.Equal("LlmPriceUnknown", ex.ErrorId);
        Assert.Empty(_server.Requests);
    }
}
