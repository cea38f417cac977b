using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>
/// A loopback OpenAI-compatible HTTP server (Kestrel on 127.0.0.1) scripted per path: each request takes the
/// next queued <see cref="FakeResponse"/> for its path, else the path's default, else a 404 in OpenAI's error
/// shape, except that /v1/images/generations falls back to <see cref="FakeImageApi"/>, an emulation of today's API.
/// Every request is recorded. Self-contained (ASP.NET Core and the BCL only) so a console program can
/// host it for Pester tests; those script it over HTTP:
///   POST /_fake/enqueue?path=/v1/images/generations   body {"status":429,"headers":{"Retry-After":"1"},"body":"...","bodyBase64":"...","contentType":"...","delayMs":0}
///   POST /_fake/default?path=...                      same body, served whenever the queue is empty
///   GET  /_fake/requests                              the recorded requests as JSON
///   POST /_fake/reset                                 clears queues, defaults, recordings and the image API's settings
///   POST /_fake/images                                body {"imagesPerMinute":12,"windowMs":60000,"quotaExhausted":false,"quotaCode":"credit_balance_exhausted","requiredKey":"sk-…","latencyMs":0,
///                                                     "faults":{"seed":42,"storm":0.02,"stormMs":1500,"contentPolicy":0.03,"serverError":0.05,
///                                                     "hang":0.02,"hangMs":8000,"truncated":0.03,"quota":0.005,"latencyMs":300,"jitterMs":500}}
///                                                     (faults: see <see cref="FakeFaults"/>; null turns them off; "tinyImages":true for flat few-KB PNGs)
///   GET  /_fake/images                                {"rateLimitHits":N,"injected":{"storm":N,...}}
///   POST /_fake/batches                               body {"validationMs":0,"runMs":0,"cancelMs":0,"expireMs":null,"failPrompts":["…"]} (<see cref="FakeBatchApi"/>)
///   GET  /_fake/batches                               {"created":N}
///   GET  /_fake/calls                                 every answered images request (<see cref="FakeImageCall"/>): outcome, delivery, image id
/// A path may start with /r/{tag}/ (a base URL of http://127.0.0.1:port/r/{tag}/v1): the prefix is removed and the
/// tag logged with the call, so a client process can be told apart from the others.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    public const string ImagesPath = "/v1/images/generations";
    public const string ChatPath = "/v1/chat/completions";
    private const string ControlPrefix = "/_fake/";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeResponse>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeResponse> _defaults = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<FakeImageCall> _calls = new();
    private long _callSeq;

    private FakeOpenAIServer(WebApplication app)
    {
        _app = app;
        Batches = new FakeBatchApi(Images);
    }

    /// <summary>Scheme, host and port, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>What to configure as openai_base_url: Root + "v1".</summary>
    public Uri BaseUrl => new(Root, "v1");

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The emulated images API that answers whatever is not scripted.</summary>
    public FakeImageApi Images { get; } = new();

    /// <summary>The emulated Files and Batch APIs (/v1/files, /v1/batches).</summary>
    public FakeBatchApi Batches { get; }

    public IReadOnlyList<RecordedRequest> RequestsTo(string path) => [.. _requests.Where(r => r.Path == path)];

    /// <summary>Every answered images request, in the order the answers ended.</summary>
    public IReadOnlyList<FakeImageCall> ImageCalls => [.. _calls.OrderBy(c => c.Seq)];

    /// <summary>Starts listening on 127.0.0.1 at <paramref name="port"/> (0 picks a free port).</summary>
    public static async Task<FakeOpenAIServer> StartAsync(int port = 0, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var server = new FakeOpenAIServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Root = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    public FakeOpenAIServer Enqueue(string path, params FakeResponse[] responses)
    {
        var queue = _queues.GetOrAdd(path, _ => new ConcurrentQueue<FakeResponse>());
        foreach (var r in responses)
        {
            queue.Enqueue(r);
        }
        return this;
    }

    public FakeOpenAIServer EnqueueImages(params FakeResponse[] responses) => Enqueue(ImagesPath, responses);

    public FakeOpenAIServer EnqueueChat(params FakeResponse[] responses) => Enqueue(ChatPath, responses);

    /// <summary>Served for <paramref name="path"/> whenever its queue is empty (e.g. 429 forever).</summary>
    public FakeOpenAIServer SetDefault(string path, FakeResponse response)
    {
        _defaults[path] = response;
        return this;
    }

    /// <summary>Serves <paramref name="response"/> at /files/<paramref name="name"/> on every request; returns its URL.</summary>
    public Uri AddFile(string name, FakeResponse response)
    {
        var path = "/files/" + name;
        SetDefault(path, response);
        return new Uri(Root, path.TrimStart('/'));
    }

    public void Reset()
    {
        _queues.Clear();
        _defaults.Clear();
        _requests.Clear();
        _calls.Clear();
        Images.Reset();
        Batches.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        // Hung responses watch RequestAborted, so a short stop is enough.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        byte[] bytes;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        var body = Encoding.UTF8.GetString(bytes);
        var path = request.Path.Value ?? "/";
        if (path.StartsWith(ControlPrefix, StringComparison.Ordinal))
        {
            await HandleControlAsync(context, path[ControlPrefix.Length..], body).ConfigureAwait(false);
            return;
        }
        string? tag = null;
        if (path.StartsWith("/r/", StringComparison.Ordinal) && path.IndexOf('/', 3) is > 3 and var end)
        {
            tag = path[3..end];
            path = path[end..];
        }

        var received = DateTimeOffset.UtcNow;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(request.Method, path, headers, body, received);
        _requests.Enqueue(recorded);

        var scripted = _queues.TryGetValue(path, out var q) && q.TryDequeue(out var next) ? next
            : _defaults.TryGetValue(path, out var fallback) ? fallback
            : null;
        var response = scripted
            ?? (path == ImagesPath && request.Method == "POST" ? Images.Answer(body, headers)
            : Batches.Answer(request.Method, path, request.QueryString.Value ?? "", bytes, request.ContentType, headers)
            ?? FakeResponse.Error(404, "not_scripted", $"FakeOpenAIServer has no response scripted for {path}."));
        var delivered = await WriteAsync(context, response).ConfigureAwait(false);
        recorded.AnsweredAt = DateTimeOffset.UtcNow;
        if (path == ImagesPath)
        {
            _calls.Enqueue(new FakeImageCall(Interlocked.Increment(ref _callSeq), tag, received, DateTimeOffset.UtcNow, PromptOf(body),
                response.Outcome ?? (scripted is null ? "error" : "scripted"), response.Status, response.ImageId, delivered, response.InputTokens, response.OutputTokens));
        }
    }

    private static string? PromptOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the answer after its delay; false when the client went away first (nothing, or not all, was delivered).</summary>
    private static async Task<bool> WriteAsync(HttpContext context, FakeResponse response)
    {
        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false; // the client gave up (its timeout) or the server is stopping
            }
        }
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        try
        {
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            return !context.RequestAborted.IsCancellationRequested;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    private async Task HandleControlAsync(HttpContext context, string command, string body)
    {
        var path = context.Request.Query["path"].ToString();
        switch (command)
        {
            case "enqueue" when path.Length > 0:
                Enqueue(path, ParseControl(body));
                context.Response.StatusCode = 204;
                break;
            case "default" when path.Length > 0:
                SetDefault(path, ParseControl(body));
                context.Response.StatusCode = 204;
                break;
            case "reset":
                Reset();
                context.Response.StatusCode = 204;
                break;
            case "images" when context.Request.Method == "POST":
                ConfigureImages(body);
                context.Response.StatusCode = 204;
                break;
            case "batches" when context.Request.Method == "POST":
                using (var doc = JsonDocument.Parse(body))
                {
                    Batches.Configure(doc.RootElement);
                }
                context.Response.StatusCode = 204;
                break;
            case "batches":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(new { created = Batches.BatchesCreated }), context.RequestAborted).ConfigureAwait(false);
                break;
            case "images":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(new { rateLimitHits = Images.RateLimitHits, injected = Images.Injected }), context.RequestAborted).ConfigureAwait(false);
                break;
            case "calls":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(ImageCalls, CallJson), context.RequestAborted).ConfigureAwait(false);
                break;
            case "requests":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(Requests), context.RequestAborted).ConfigureAwait(false);
                break;
            default:
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("unknown control command or missing ?path=", context.RequestAborted).ConfigureAwait(false);
                break;
        }
    }

    private void ConfigureImages(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("imagesPerMinute", out var ipm))
        {
            Images.ImagesPerMinute = ipm.ValueKind == JsonValueKind.Null ? null : ipm.GetInt32();
        }
        if (root.TryGetProperty("windowMs", out var window))
        {
            Images.RateWindow = TimeSpan.FromMilliseconds(window.GetDouble());
        }
        if (root.TryGetProperty("quotaExhausted", out var quota))
        {
            Images.QuotaExhausted = quota.GetBoolean();
        }
        if (root.TryGetProperty("quotaCode", out var quotaCode))
        {
            Images.QuotaCode = quotaCode.GetString() ?? "insufficient_quota";
        }
        if (root.TryGetProperty("requiredKey", out var key))
        {
            Images.RequiredKey = string.IsNullOrEmpty(key.GetString()) ? null : key.GetString();
        }
        if (root.TryGetProperty("latencyMs", out var latency))
        {
            Images.Latency = TimeSpan.FromMilliseconds(latency.GetDouble());
        }
        if (root.TryGetProperty("tinyImages", out var tiny))
        {
            Images.TinyImages = tiny.GetBoolean();
        }
        if (root.TryGetProperty("faults", out var faults))
        {
            Images.Faults = faults.ValueKind == JsonValueKind.Null ? null : FakeFaults.Parse(faults);
        }
    }

    private static readonly JsonSerializerOptions CallJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static FakeResponse ParseControl(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var response = new FakeResponse();
        if (root.TryGetProperty("status", out var status))
        {
            response = response with { Status = status.GetInt32() };
        }
        if (root.TryGetProperty("contentType", out var contentType))
        {
            response = response with { ContentType = contentType.GetString()! };
        }
        if (root.TryGetProperty("delayMs", out var delay))
        {
            response = response with { Delay = TimeSpan.FromMilliseconds(delay.GetDouble()) };
        }
        if (root.TryGetProperty("bodyBase64", out var b64))
        {
            response = response with { Body = Convert.FromBase64String(b64.GetString()!) };
        }
        else if (root.TryGetProperty("body", out var text))
        {
            response = response with { Body = Encoding.UTF8.GetBytes(text.ValueKind == JsonValueKind.String ? text.GetString()! : text.GetRawText()) };
        }
        if (root.TryGetProperty("headers", out var headers))
        {
            foreach (var h in headers.EnumerateObject())
            {
                response = response.WithHeader(h.Name, h.Value.GetString()!);
            }
        }
        return response;
    }
}
