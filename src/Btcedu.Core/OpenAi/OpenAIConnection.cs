using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Btcedu.Core.Workspace;
using OpenAI;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Btcedu.Core.Settings;

namespace Btcedu.Core.OpenAi;

/// <summary>
/// What the image and text services share: one HttpClient, the key, SDK options with the SDK's own retry
/// turned off, and the single Polly pipeline (overall deadline → retry with backoff → per-attempt timeout)
/// that owns every retry decision. Before each attempt a worker waits for the shared pause (set by a 429's
/// Retry-After or an exhausted x-ratelimit-remaining-requests, so all workers hold together) and for the pace
/// (image_rate_limit_per_minute); neither wait counts against the attempt's timeout.
/// </summary>
internal sealed class OpenAIConnection : IDisposable
{
    private readonly Action<string> _log;
    private readonly string _label;
    private readonly RateLimiter? _pace;
    private long _resumeAtTicks;

    /// <param name="ratePerMinute">Calls allowed per minute across every worker of this connection; null for no pacing.</param>
    public OpenAIConnection(OpenAIEndpoint endpoint, OpenAIServiceOptions options, TimeProvider time, Action<string>? log, string label, int? ratePerMinute = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        var key = endpoint.ApiKey.Reveal();

        Endpoint = endpoint.BaseUrl;
        Options = options;
        Time = time;
        Scrubber = new SecretScrubber(key, endpoint.BaseUrl);
        _label = label;
        // Every line goes through the scrubber, whatever a caller or an API message put into it, and names the
        // episode and chapter whose call wrote it (LogContext, begun by the chapter's job).
        _log = log is null ? _ => { } : line => log(Scrubber.Scrub(LogContext.Name(line)));

        AttemptTimeout = options.AttemptTimeout ?? endpoint.AttemptTimeout;
        // Paced calls may queue for minutes behind each other, so only an explicit overall deadline applies then;
        // the attempts stay bounded by their count and per-attempt timeout.
        OverallTimeout = options.OverallTimeout
            ?? (ratePerMinute is null ? (AttemptTimeout * (options.MaxRetries + 1)) + (options.MaxDelay * options.MaxRetries) : null);
        _pace = ratePerMinute is { } n ? CreatePace(n, options.RateWindow) : null;

        // Redirects off: a download must not be bounced to a host the URL check never saw.
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // Polly and the download deadline own every timeout.
        };
        Credential = new ApiKeyCredential(key);
        ClientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint.BaseUrl,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // one policy: Polly's
            Transport = new HttpClientPipelineTransport(Http),
            // Longer than the per-attempt timeout so that Polly's timeout, which it can retry and report, fires first.
            NetworkTimeout = AttemptTimeout + TimeSpan.FromSeconds(30),
        };
        Pipeline = BuildPipeline();
    }

    public Uri Endpoint { get; }
    public OpenAIServiceOptions Options { get; }
    public TimeProvider Time { get; }
    public SecretScrubber Scrubber { get; }
    public TimeSpan AttemptTimeout { get; }
    public TimeSpan? OverallTimeout { get; }
    public HttpClient Http { get; }
    public ApiKeyCredential Credential { get; }
    public OpenAIClientOptions ClientOptions { get; }
    public ResiliencePipeline Pipeline { get; }
    private ResiliencePipeline AttemptPipeline { get; set; } = ResiliencePipeline.Empty;

    public void Log(string line) => _log(line);

    /// <summary>
    /// Runs one API call under the pipeline. API failures come back as <see cref="ApiFailure"/>; the caller's
    /// cancellation and programming errors propagate. Attempts that timed out on our side are counted: the
    /// provider may have finished and billed them, so a retry after one happens only when
    /// <paramref name="coverRetryAfterTimeout"/> (if given) says the caller's budget covers another attempt.
    /// </summary>
    public async Task<ApiCallResult<T>> ExecuteAsync<T>(Func<CancellationToken, Task<ClientResult<T>>> call, CancellationToken cancellationToken,
        Func<bool>? coverRetryAfterTimeout = null)
        where T : class
    {
        var attempts = new StrongBox<int>();
        var timedOut = new StrongBox<int>();
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        if (coverRetryAfterTimeout is not null)
        {
            context.Properties.Set(CoverRetryAfterTimeout, coverRetryAfterTimeout);
        }
        try
        {
            var value = await Pipeline.ExecuteAsync(
                static async (context, state) =>
                {
                    var token = context.CancellationToken;
                    await state.Self.WaitForTurnAsync(token).ConfigureAwait(false);
                    Interlocked.Increment(ref state.Attempts.Value);
                    try
                    {
                        var result = await state.Self.AttemptPipeline.ExecuteAsync(
                            static async (c, t) => await c(t).ConfigureAwait(false), state.Call, token).ConfigureAwait(false);
                        state.Self.Observe(result.GetRawResponse(), failure: null);
                        return result.Value;
                    }
                    catch (ClientResultException e)
                    {
                        state.Self.Observe(e.GetRawResponse(), ApiFailure.From(e, state.Self.Scrubber));
                        throw;
                    }
                    catch (Exception e) when (e is TimeoutRejectedException || (e is OperationCanceledException && !state.Caller.IsCancellationRequested))
                    {
                        Interlocked.Increment(ref state.TimedOut.Value);
                        throw;
                    }
                },
                context, (Self: this, Attempts: attempts, TimedOut: timedOut, Call: call, Caller: cancellationToken)).ConfigureAwait(false);
            return new ApiCallResult<T>(value, null, attempts.Value, timedOut.Value);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ApiFailure.From(ex, Scrubber) is not null)
        {
            var failure = ApiFailure.From(ex, Scrubber)!;
            if (context.Properties.TryGetValue(RetryNotCovered, out var notCovered) && notCovered)
            {
                failure = failure with { ApiMessage = failure.ApiMessage + "; not retried, because the cost cap leaves no room for another attempt that may be billed" };
            }
            return new ApiCallResult<T>(null, failure, attempts.Value, timedOut.Value);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static readonly ResiliencePropertyKey<Func<bool>> CoverRetryAfterTimeout = new("btcedu.cover-retry-after-timeout");
    private static readonly ResiliencePropertyKey<bool> RetryNotCovered = new("btcedu.retry-not-covered");

    /// <summary>Whether the caller's budget covers retrying after a timed-out attempt (which may have been billed).</summary>
    private static bool Covers(ResilienceContext context, ApiFailure failure)
    {
        if (failure.Kind != ApiFailureKind.TimedOut || !context.Properties.TryGetValue(CoverRetryAfterTimeout, out var cover) || cover())
        {
            return true;
        }
        context.Properties.Set(RetryNotCovered, true);
        return false;
    }

    /// <summary>Holds every worker of this connection until the shared pause ends, then takes a permit of the pace.</summary>
    private async Task WaitForTurnAsync(CancellationToken token)
    {
        while (Interlocked.Read(ref _resumeAtTicks) - Time.GetUtcNow().UtcTicks is var wait && wait > 0)
        {
            await Task.Delay(TimeSpan.FromTicks(wait), Time, token).ConfigureAwait(false);
        }
        if (_pace is not null)
        {
            var waitStarted = Time.GetTimestamp();
            using var lease = await _pace.AcquireAsync(1, token).ConfigureAwait(false);
            if (Time.GetElapsedTime(waitStarted) is var waited && waited >= TimeSpan.FromMilliseconds(100))
            {
                Log(string.Create(CultureInfo.InvariantCulture, $"{_label}: waited {waited.TotalSeconds:0.#}s for the pace (image_rate_limit_per_minute)."));
            }
            if (!lease.IsAcquired)
            {
                throw new InvalidOperationException("The pace's queue is full."); // not reached: the queue holds every worker
            }
        }
    }

    /// <summary>A 429's (or an overloaded server's) Retry-After, or no requests left in the window, pauses every worker until the reset.</summary>
    private void Observe(System.ClientModel.Primitives.PipelineResponse? response, ApiFailure? failure)
    {
        if (response is null)
        {
            return;
        }
        TimeSpan? pause = null;
        if (failure is { PausesEveryone: true })
        {
            pause = ApiFailure.RetryAfter(response, Time);
        }
        if (response.Headers.TryGetValue("x-ratelimit-remaining-requests", out var remaining) && remaining?.Trim() == "0"
            && response.Headers.TryGetValue("x-ratelimit-reset-requests", out var reset) && RateLimitReset.TryParse(reset, out var until))
        {
            pause = pause is { } p && p > until ? p : until;
        }
        if (pause is { } wait && wait > TimeSpan.Zero)
        {
            wait = Min(wait, Options.MaxDelay);
            var resumeAt = Time.GetUtcNow().UtcTicks + wait.Ticks;
            long current;
            while ((current = Interlocked.Read(ref _resumeAtTicks)) < resumeAt
                && Interlocked.CompareExchange(ref _resumeAtTicks, resumeAt, current) != current)
            {
            }
            var why = failure is { PausesEveryone: true } ? $"the API's answer {failure.Reason}" : "the API's rate limit (no requests left in the window)";
            Log(string.Create(CultureInfo.InvariantCulture, $"{_label}: {why} pauses every call for {wait.TotalSeconds:0.###}s."));
        }
    }

    /// <summary>
    /// At most <paramref name="perMinute"/> calls in any window of <paramref name="window"/>: a sliding window whose
    /// length is stretched by one segment, because a permit returns when its whole segment leaves the window.
    /// </summary>
    private static RateLimiter CreatePace(int perMinute, TimeSpan window)
    {
        const int segments = 60;
        return new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            // + one segment, + arrival jitter: 1% of the window, at least a quarter second (requests leave a busy
            // machine, or cross the network, at uneven delays).
            Window = window + (window / segments) + Max(window / 100, TimeSpan.FromMilliseconds(250)),
            SegmentsPerWindow = segments,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>The message a person needs for a failure that ended the call; model-specific hints come from the caller.</summary>
    public string Describe(ApiFailure failure, int attempts, string model)
    {
        var tries = attempts == 1 ? "1 attempt" : string.Create(CultureInfo.InvariantCulture, $"{attempts} attempts");
        return failure.Kind switch
        {
            ApiFailureKind.RateLimited => $"Still rate limited after {tries} ({failure.Reason}): {failure.ApiMessage} Lower the parallelism (image_throttle_limit) or try again later.",
            ApiFailureKind.QuotaExhausted => $"The OpenAI account may not spend more ({failure.Reason}): {failure.ApiMessage} {QuotaHint(failure.Code)}",
            ApiFailureKind.ServerError => $"The API kept failing ({failure.Reason}) after {tries}: {failure.ApiMessage}",
            ApiFailureKind.Network => $"Could not reach {SecretScrubber.Display(Endpoint, UriPartial.Authority)} after {tries}: {failure.ApiMessage} Check the network and openai_base_url / OPENAI_BASE_URL.",
            ApiFailureKind.TimedOut => string.Create(CultureInfo.InvariantCulture,
                $"No answer after {tries} ({failure.ApiMessage}; per-attempt timeout {AttemptTimeout.TotalSeconds:0.###}s{(OverallTimeout is { } o ? $", overall deadline {o.TotalSeconds:0.###}s" : "")}). Raise image_timeout_seconds if the API is slow."),
            ApiFailureKind.ContentPolicy when failure.Moderation is { } m =>
                $"The provider's moderation blocked the {(m.Stage == "output" ? "generated image" : "prompt")} ({failure.Reason}; {m.Describe()}): {failure.ApiMessage} Not retried: the same prompt is blocked again; change the chapter's visual.",
            ApiFailureKind.ContentPolicy => $"The provider's safety system rejected the prompt ({failure.Reason}): {failure.ApiMessage}",
            ApiFailureKind.Unauthorized => $"The API rejected the key ({failure.Reason}): {failure.ApiMessage} Set OPENAI_API_KEY (or openai_api_key in btcedu.yaml) to a valid key.",
            ApiFailureKind.Forbidden => $"The key may not use {model} ({failure.Reason}): {failure.ApiMessage} Check the key's project and organisation access (some models need a verified organisation).",
            ApiFailureKind.NotFound => $"Model '{model}' is unknown or retired at {SecretScrubber.Display(Endpoint, UriPartial.Path)} ({failure.Reason}): {failure.ApiMessage}",
            ApiFailureKind.BadRequest => $"The API rejected the request ({failure.Reason}): {failure.ApiMessage}",
            _ => $"The API's answer could not be read: {failure.ApiMessage}",
        };
    }

    /// <summary>What to do about a spend, usage or credit refusal, by its code (help.openai.com/en/articles/6614457).</summary>
    private static string QuotaHint(string? code) => code switch
    {
        "credit_balance_exhausted" => "The organization has no prepaid credit left: add credit in the API billing settings, then retry.",
        "organization_spend_limit_exceeded" => "The organization reached its spend limit: raise or remove it in the organization's limits, or wait for the monthly reset.",
        "project_spend_limit_exceeded" => "The project reached its spend limit: raise or remove the project's limit, or wait for the monthly reset.",
        "organization_usage_limit_exceeded" => "The organization reached its OpenAI-assigned usage limit: request a higher limit on the Limits page.",
        _ => "Add credit or raise the project's limit, then retry.",
    };

    public void Dispose()
    {
        _pace?.Dispose();
        Http.Dispose();
    }

    private ResiliencePipeline BuildPipeline()
    {
        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(Options.MaxRetries, 1), // Polly requires ≥ 1; ShouldHandle enforces 0.
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = Options.BaseDelay,
            MaxDelay = Options.MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(
                Options.MaxRetries > 0
                && args.Outcome.Exception is { } ex
                && !(ex is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)
                && ApiFailure.From(ex, Scrubber) is { IsTransient: true } failure
                && (args.AttemptNumber >= Options.MaxRetries || Covers(args.Context, failure))),
            // The server's Retry-After wins over our backoff, capped so one header cannot stall a run.
            DelayGenerator = args => ValueTask.FromResult(
                ApiFailure.RetryAfter(args.Outcome.Exception, Time) is { } wait ? (TimeSpan?)Min(wait, Options.MaxDelay) : null),
            OnRetry = args =>
            {
                var failure = args.Outcome.Exception is { } ex ? ApiFailure.From(ex, Scrubber) : null;
                var source = ApiFailure.RetryAfter(args.Outcome.Exception, Time) is not null ? "as Retry-After asks" : "backoff with jitter";
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"{_label}: attempt {args.AttemptNumber + 1} of {Options.MaxRetries + 1} failed ({failure?.Reason ?? "error"}: {failure?.ApiMessage}); retrying in {args.RetryDelay.TotalSeconds:0.###}s ({source})."));
                return default;
            },
        };

        AttemptPipeline = new ResiliencePipelineBuilder { TimeProvider = Time }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = AttemptTimeout })
            .Build();
        var builder = new ResiliencePipelineBuilder { TimeProvider = Time };
        if (OverallTimeout is { } overall)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Timeout = overall });
        }
        return builder.AddRetry(retry).Build();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
