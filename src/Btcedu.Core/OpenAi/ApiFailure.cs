using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Polly.Timeout;

namespace Btcedu.Core.OpenAi;

/// <summary>
/// An API failure classified from whatever the SDK, the transport or Polly threw. <see cref="ApiMessage"/>
/// is the provider's own message with the key scrubbed out.
/// </summary>
internal sealed record ApiFailure(ApiFailureKind Kind, int Status, string? Code, string ApiMessage)
{
    internal static readonly string[] ContentPolicyCodes = ["content_policy_violation", "moderation_blocked", "content_filter"];

    /// <summary>
    /// Refusals that retrying cannot cure: no credit, or a spend or usage limit reached. OpenAI answers them with HTTP
    /// 429 and these codes since 2026-09 (help.openai.com/en/articles/5955604 and 6614457; the error-codes guide),
    /// with the type insufficient_quota or another; the code decides, whatever the type and status.
    /// </summary>
    internal static readonly string[] QuotaCodes =
        ["insufficient_quota", "organization_spend_limit_exceeded", "project_spend_limit_exceeded", "organization_usage_limit_exceeded", "credit_balance_exhausted"];

    /// <summary>Codes that ask every caller to hold for the Retry-After and try again: 429 slow_down (traffic rose too fast), 503 server_is_overloaded.</summary>
    internal static readonly string[] PauseCodes = ["rate_limit_exceeded", "slow_down", "server_is_overloaded"];

    /// <summary>Whether this failure asks every worker to pause for its Retry-After (a rate limit, slow_down, an overloaded server).</summary>
    public bool PausesEveryone => Kind == ApiFailureKind.RateLimited || (Code is not null && PauseCodes.Contains(Code));

    /// <summary>The moderation stage and categories a gpt-image moderation block came with, when it did.</summary>
    public ModerationDetails? Moderation { get; init; }

    /// <summary>How the call ended, for either service: the one mapping from a classified failure to an outcome.</summary>
    public ApiOutcome Outcome => Kind switch
    {
        ApiFailureKind.ContentPolicy => ApiOutcome.ContentPolicyRejected,
        ApiFailureKind.RateLimited => ApiOutcome.RateLimited,
        ApiFailureKind.TimedOut => ApiOutcome.TimedOut,
        ApiFailureKind.Unauthorized or ApiFailureKind.Forbidden => ApiOutcome.KeyRejected,
        ApiFailureKind.QuotaExhausted => ApiOutcome.QuotaExhausted,
        ApiFailureKind.NotFound => ApiOutcome.ModelUnavailable,
        _ => ApiOutcome.Failed,
    };

    /// <summary>Whether the retry policy should try again: only conditions that can pass on their own.</summary>
    public bool IsTransient => Kind is ApiFailureKind.RateLimited or ApiFailureKind.ServerError or ApiFailureKind.Network or ApiFailureKind.TimedOut;

    /// <summary>"HTTP 429 (rate_limit_exceeded)" or "network error": the short reason used in log lines.</summary>
    public string Reason => Status > 0
        ? string.Create(CultureInfo.InvariantCulture, $"HTTP {Status}{(Code is null ? "" : $" ({Code})")}")
        : Kind == ApiFailureKind.TimedOut ? "timeout" : Kind == ApiFailureKind.Network ? "network error" : "bad response";

    /// <summary>Classifies an exception, or returns null when it is not an API failure (a programming error).</summary>
    public static ApiFailure? From(Exception exception, SecretScrubber scrubber)
    {
        switch (exception)
        {
            case ClientResultException { Status: > 0 } cre:
                return FromResponse(cre, scrubber);
            case ClientResultException cre:
                // Status 0: the transport failed before any response (refused, reset, DNS).
                return new ApiFailure(ApiFailureKind.Network, 0, null, scrubber.Scrub(Innermost(cre).Message));
            case TimeoutRejectedException tre:
                return new ApiFailure(ApiFailureKind.TimedOut, 0, null,
                    string.Create(CultureInfo.InvariantCulture, $"no answer within {tre.Timeout.TotalSeconds:0.###}s"));
            case OperationCanceledException:
                // Not the caller's token (the caller filters that out): the SDK's own network timeout.
                return new ApiFailure(ApiFailureKind.TimedOut, 0, null, "the request was cancelled by a network timeout");
            case HttpRequestException or IOException or SocketException:
                return new ApiFailure(ApiFailureKind.Network, 0, null, scrubber.Scrub(Innermost(exception).Message));
            case JsonException or FormatException or KeyNotFoundException:
                return new ApiFailure(ApiFailureKind.BadResponse, 0, null, "the response was not the JSON the API documents: " + scrubber.Scrub(exception.Message));
            default:
                return null;
        }
    }

    /// <summary>The wait the server asked for (retry-after-ms, or Retry-After in seconds or as a date), if any.</summary>
    public static TimeSpan? RetryAfter(Exception? exception, TimeProvider time) =>
        exception is ClientResultException cre && cre.GetRawResponse() is { } response ? RetryAfter(response, time) : null;

    /// <summary>The wait a response asks for, if any.</summary>
    public static TimeSpan? RetryAfter(System.ClientModel.Primitives.PipelineResponse response, TimeProvider time)
    {
        // OpenAI sends retry-after-ms alongside the standard header; it is the more precise of the two.
        if (response.Headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }
        if (response.Headers.TryGetValue("Retry-After", out var value) && !string.IsNullOrWhiteSpace(value))
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var wait = at - time.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }
        return null;
    }

    private static ApiFailure FromResponse(ClientResultException cre, SecretScrubber scrubber)
    {
        var status = cre.Status;
        var (code, type, message, moderation) = ReadError(cre);
        message = scrubber.Scrub(string.IsNullOrWhiteSpace(message) ? $"HTTP {status} without an error message" : message.Trim());
        var kind = status switch
        {
            // A spend, usage or credit refusal by its code (any status, any type), or the older type alone.
            _ when QuotaCodes.Contains(code) || (status == 429 && type == "insufficient_quota") => ApiFailureKind.QuotaExhausted,
            429 => ApiFailureKind.RateLimited,
            408 => ApiFailureKind.TimedOut,
            >= 500 => ApiFailureKind.ServerError,
            401 => ApiFailureKind.Unauthorized,
            403 => ApiFailureKind.Forbidden,
            404 => ApiFailureKind.NotFound,
            _ when IsContentPolicy(code, type, message) => ApiFailureKind.ContentPolicy,
            _ => ApiFailureKind.BadRequest,
        };
        // The details go into files and errors like the message: scrubbed, and bounded (an endpoint could send anything).
        moderation = kind == ApiFailureKind.ContentPolicy && moderation is not null
            ? new ModerationDetails(moderation.Stage is { } st ? Bounded(scrubber.Scrub(st)) : null, [.. moderation.Categories.Select(c => Bounded(scrubber.Scrub(c)))])
            : null;
        return new ApiFailure(kind, status, code ?? type, message) { Moderation = moderation };
    }

    private static string Bounded(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private static bool IsContentPolicy(string? code, string? type, string message) =>
        ContentPolicyCodes.Contains(code) || ContentPolicyCodes.Contains(type)
        || message.Contains("safety system", StringComparison.OrdinalIgnoreCase);

    private static (string? Code, string? Type, string? Message, ModerationDetails? Moderation) ReadError(ClientResultException cre)
    {
        try
        {
            var content = cre.GetRawResponse()?.Content;
            if (content is null || content.ToMemory().IsEmpty)
            {
                return (null, null, null, null);
            }
            using var doc = JsonDocument.Parse(content.ToMemory());
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return (Text(error, "code"), Text(error, "type"), Text(error, "message"), ReadModeration(error));
            }
        }
        catch (JsonException)
        {
            // Not JSON (a gateway's HTML error page): fall through to the status alone.
        }
        return (null, null, null, null);
    }

    /// <summary>error.moderation_details: {"moderation_stage": "input" | "output", "categories": ["violence", ...]}.</summary>
    internal static ModerationDetails? ReadModeration(JsonElement error)
    {
        if (!error.TryGetProperty("moderation_details", out var details) || details.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var stage = Text(details, "moderation_stage");
        var categories = details.TryGetProperty("categories", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).Where(x => x.Length > 0).Take(20).ToList()
            : [];
        return stage is null && categories.Count == 0 ? null : new ModerationDetails(stage, categories);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
