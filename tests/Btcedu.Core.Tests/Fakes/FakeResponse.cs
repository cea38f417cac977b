using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>
/// One scripted answer of <see cref="FakeOpenAIServer"/>: status, headers, body and a delay before the
/// headers are sent (a long delay is a hung response). Factories build OpenAI-shaped bodies.
/// </summary>
public sealed record FakeResponse
{
    public int Status { get; init; } = 200;
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public byte[] Body { get; init; } = [];
    public string ContentType { get; init; } = "application/json";
    public TimeSpan Delay { get; init; }
    /// <summary>What the emulated images API decided (ok, storm, hang, ...): logged in /_fake/calls, never sent.</summary>
    public string? Outcome { get; init; }
    /// <summary>The id the answer's image encodes (fault mode), logged in /_fake/calls.</summary>
    public long? ImageId { get; init; }
    /// <summary>The usage the answer bills, logged in /_fake/calls.</summary>
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }

    public FakeResponse WithHeader(string name, string value) =>
        this with { Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) { [name] = value } };

    public FakeResponse WithDelay(TimeSpan delay) => this with { Delay = delay };

    public static FakeResponse Json(object body, int status = 200) =>
        new() { Status = status, Body = JsonSerializer.SerializeToUtf8Bytes(body) };

    public static FakeResponse Raw(int status, string body, string contentType = "application/json") =>
        new() { Status = status, Body = Encoding.UTF8.GetBytes(body), ContentType = contentType };

    /// <summary>An images/generations answer carrying base64 bytes, optionally with gpt-image token usage.</summary>
    public static FakeResponse ImageBase64(byte[] image, string? revisedPrompt = null, int? inputTokens = null, int? outputTokens = null) =>
        ImageAnswer(new Dictionary<string, object?> { ["b64_json"] = Convert.ToBase64String(image), ["revised_prompt"] = revisedPrompt }, inputTokens, outputTokens);

    /// <summary>An images/generations answer carrying a URL to fetch.</summary>
    public static FakeResponse ImageUrl(Uri url, string? revisedPrompt = null, int? inputTokens = null, int? outputTokens = null) =>
        ImageAnswer(new Dictionary<string, object?> { ["url"] = url.AbsoluteUri, ["revised_prompt"] = revisedPrompt }, inputTokens, outputTokens);

    /// <summary>An OpenAI error body: {"error":{"message","type","param","code"}}.</summary>
    public static FakeResponse Error(int status, string? code, string message, string type = "invalid_request_error") =>
        Json(new { error = new { message, type, param = (string?)null, code } }, status);

    /// <summary>HTTP 429 with Retry-After (seconds) and/or retry-after-ms when given.</summary>
    public static FakeResponse RateLimited(double? retryAfterSeconds = null, double? retryAfterMs = null)
    {
        var r = Error(429, "rate_limit_exceeded", "Rate limit reached for images per minute. Please try again later.", "requests");
        if (retryAfterSeconds is { } s)
        {
            r = r.WithHeader("Retry-After", s.ToString(CultureInfo.InvariantCulture));
        }
        if (retryAfterMs is { } ms)
        {
            r = r.WithHeader("retry-after-ms", ms.ToString(CultureInfo.InvariantCulture));
        }
        return r;
    }

    /// <summary>
    /// A spend or usage refusal as OpenAI sends it since 2026-09: HTTP 429 with one of organization_spend_limit_exceeded,
    /// project_spend_limit_exceeded, organization_usage_limit_exceeded, credit_balance_exhausted (type insufficient_quota
    /// unless told), or the older insufficient_quota.
    /// </summary>
    public static FakeResponse SpendLimit(string code = "insufficient_quota", string type = "insufficient_quota") =>
        Error(429, code, code == "insufficient_quota"
            ? "You exceeded your current quota, please check your plan and billing details."
            : $"Request refused: {code.Replace('_', ' ')}. Review your organization's billing and limits.", type);

    /// <summary>429 slow_down (traffic rose too fast) with Retry-After in seconds.</summary>
    public static FakeResponse SlowDown(double retryAfterSeconds) =>
        Error(429, "slow_down", "Please reduce your request rate: traffic increased faster than the service can absorb.", "rate_limit_error")
            .WithHeader("Retry-After", retryAfterSeconds.ToString(CultureInfo.InvariantCulture));

    /// <summary>503 server_is_overloaded with Retry-After in seconds.</summary>
    public static FakeResponse Overloaded(double retryAfterSeconds) =>
        Error(503, "server_is_overloaded", "Our servers are currently overloaded. Please try again later.", "service_unavailable_error")
            .WithHeader("Retry-After", retryAfterSeconds.ToString(CultureInfo.InvariantCulture));

    /// <summary>A gpt-image moderation block: 400 moderation_blocked, type image_generation_user_error, with error.moderation_details.</summary>
    public static FakeResponse ModerationBlocked(string stage = "input", params string[] categories) =>
        Json(new Dictionary<string, object?>
        {
            ["error"] = new Dictionary<string, object?>
            {
                ["message"] = "Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID.",
                ["type"] = "image_generation_user_error",
                ["param"] = null,
                ["code"] = "moderation_blocked",
                ["moderation_details"] = new Dictionary<string, object?>
                {
                    ["moderation_stage"] = stage,
                    ["categories"] = categories.Length == 0 ? new[] { "violence" } : categories,
                },
            },
        }, 400);

    public static FakeResponse ContentPolicy(string code = "content_policy_violation") =>
        Error(400, code, "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.");

    public static FakeResponse ServerError(int status = 500) =>
        Error(status, null, "The server had an error while processing your request. Sorry about that!", "server_error");

    /// <summary>A chat.completion answer.</summary>
    public static FakeResponse Chat(string text, int promptTokens = 12, int completionTokens = 34, string model = "gpt-4o-mini", string finishReason = "stop") =>
        Json(new Dictionary<string, object?>
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1_767_225_600,
            ["model"] = model,
            ["choices"] = new object[]
            {
                new Dictionary<string, object?>
                {
                    ["index"] = 0,
                    ["message"] = new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = text, ["refusal"] = null },
                    ["finish_reason"] = finishReason,
                    ["logprobs"] = null,
                },
            },
            ["usage"] = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        });

    /// <summary>A plain file (an image to download).</summary>
    public static FakeResponse File(byte[] bytes, string contentType = "image/png") => new() { Body = bytes, ContentType = contentType };

    private static FakeResponse ImageAnswer(Dictionary<string, object?> item, int? inputTokens, int? outputTokens)
    {
        var body = new Dictionary<string, object?> { ["created"] = 1_767_225_600, ["data"] = new[] { item } };
        if (inputTokens is not null || outputTokens is not null)
        {
            int i = inputTokens ?? 0, o = outputTokens ?? 0;
            body["usage"] = new Dictionary<string, object?>
            {
                ["input_tokens"] = i,
                ["output_tokens"] = o,
                ["total_tokens"] = i + o,
                ["input_tokens_details"] = new { text_tokens = i, image_tokens = 0 },
            };
        }
        return Json(body);
    }
}
