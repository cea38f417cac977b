using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>
/// What the fake's /v1/images/generations answers when no response is scripted: OpenAI's images API as of
/// 2026-11-25, kept independent of the product's catalogue so the tests can catch it drifting.
/// <list type="bullet">
/// <item>gpt-image-2 family (gpt-image-2, its snapshot, 2.5/2.6 sunburst and flare): custom sizes with both edges multiples
/// of 16, long edge ≤ 3840, ratio ≤ 3:1, 655,360–8,294,400 pixels; else 400 invalid_value.</item>
/// <item>gpt-image-1-mini, gpt-image-1.5, chatgpt-image-latest: 1024x1024, 1536x1024, 1024x1536 (served until 2026-12-01).</item>
/// <item>gpt-image-1, dall-e-3, dall-e-2 and unknown names: 404 model_not_found.</item>
/// <item>response_format is rejected for gpt-image models (400 unknown_parameter).</item>
/// <item>usage: output tokens by OpenAI's rule (<see cref="OutputTokens"/>); prompt tokens with the prompt's length.</item>
/// <item>optional: an images-per-minute limit with x-ratelimit-* headers and 429 rate_limit_exceeded, an exhausted
/// quota (429 insufficient_quota, or a spend/usage limit code: <see cref="QuotaCode"/>), a required key (401
/// invalid_api_key) and a latency. Fault mode's content filter answers 400 moderation_blocked with moderation_details.</item>
/// <item>optional: seeded fault injection (<see cref="FakeFaults"/>) for the fault soak.</item>
/// </list>
/// </summary>
public sealed class FakeImageApi
{
    /// <summary>
    /// The output tokens gpt-image-2 bills, by the rule that reproduces OpenAI's published table ("auto" answers as
    /// high): f = 16 / 48 / 96, s = floor((2·f·short + long) / (2·long)), ceil(f·s·(2,000,000 + W·H) / 4,000,000).
    /// Written here independently of the catalogue, so the product's copy of the rule can be caught drifting.
    /// The 2.5 / 2.6 models bill 3x that at low and medium (a published source says 3-4x; OpenAI publishes no
    /// counts), gpt-image-2's high at high, 2x it at xhigh and 4x at max.
    /// </summary>
    public static int OutputTokens(string model, int width, int height, string quality)
    {
        var newer = model.StartsWith("gpt-image-2.", StringComparison.Ordinal);
        var (f, times) = quality switch
        {
            "low" => (16, newer ? 3 : 1),
            "medium" => (48, newer ? 3 : 1),
            "xhigh" => (96, 2),
            "max" => (96, 4),
            _ => (96, 1),
        };
        long shortEdge = Math.Min(width, height), longEdge = Math.Max(width, height);
        var s = ((2L * f * shortEdge) + longEdge) / (2L * longEdge);
        return (int)Math.Ceiling(f * s * (2_000_000.0 + ((long)width * height)) / 4_000_000.0) * times;
    }

    private static readonly string[] CustomSizeModels = ["gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare", "gpt-image-2.6-sunburst", "gpt-image-2.6-flare"];
    private static readonly string[] FixedSizeModels = ["gpt-image-1-mini", "gpt-image-1.5", "gpt-image-1.5-2025-12-16", "chatgpt-image-latest"];
    private static readonly string[] FixedSizes = ["1024x1024", "1536x1024", "1024x1536"];
    private static readonly string[] Qualities = ["low", "medium", "high", "auto"];
    private static readonly string[] NewerQualities = ["low", "medium", "high", "xhigh", "max", "auto"];

    private readonly ConcurrentDictionary<string, byte[]> _pngs = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _served = new();
    private readonly object _gate = new();
    private int _limitHits;
    private readonly object _faultGate = new();
    private readonly ConcurrentDictionary<string, int> _injected = new(StringComparer.Ordinal);
    private FakeFaults? _faults;
    private Random _random = new(0);
    private DateTimeOffset _stormUntil;
    private long _imageIds;

    /// <summary>Images allowed per <see cref="RateWindow"/>; null for no limit.</summary>
    public int? ImagesPerMinute { get; set; }
    /// <summary>The limit's window: a minute, shrunk by tests.</summary>
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(1);
    public bool QuotaExhausted { get; set; }
    /// <summary>The code an exhausted quota answers with: insufficient_quota, or one of today's spend and usage limit codes.</summary>
    public string QuotaCode { get; set; } = "insufficient_quota";
    /// <summary>When set, any other bearer key gets 401 invalid_api_key.</summary>
    public string? RequiredKey { get; set; }
    public TimeSpan Latency { get; set; }
    /// <summary>
    /// Tiny flat PNGs (a few KB) instead of the realistic ones (<see cref="RealisticPng"/>: 2–3 MB at 1920x1088, unique
    /// per prompt), for tests that don't care what the image costs to handle. Starts as <see cref="TinyByDefault"/>.
    /// </summary>
    public bool TinyImages { get; set; } = TinyByDefault;

    /// <summary>
    /// Off (realistic PNGs) unless a host says otherwise: the xunit suite turns it on for its unit tests
    /// (Support/FakeImageDefaults.cs), the fake's process with --tiny-images; the bench and the soak leave it off.
    /// </summary>
    public static bool TinyByDefault { get; set; }
    /// <summary>429s the images-per-minute limit has answered.</summary>
    public int RateLimitHits => Volatile.Read(ref _limitHits);

    /// <summary>Seeded fault injection; null (the default) for none. Setting it restarts the seeded sequence.</summary>
    public FakeFaults? Faults
    {
        get { lock (_faultGate) { return _faults; } }
        set
        {
            lock (_faultGate)
            {
                _faults = value;
                _random = new Random(value?.Seed ?? 0);
                _stormUntil = default;
                _injected.Clear();
            }
        }
    }

    /// <summary>Faults injected so far, by kind (<see cref="FakeFaults.Kinds"/>).</summary>
    public IReadOnlyDictionary<string, int> Injected => FakeFaults.Kinds.ToDictionary(k => k, k => _injected.GetValueOrDefault(k));

    public void Reset()
    {
        ImagesPerMinute = null;
        RateWindow = TimeSpan.FromMinutes(1);
        QuotaExhausted = false;
        QuotaCode = "insufficient_quota";
        RequiredKey = null;
        Latency = TimeSpan.Zero;
        TinyImages = TinyByDefault;
        lock (_gate)
        {
            _served.Clear();
        }
        Interlocked.Exchange(ref _limitHits, 0);
        Faults = null;
    }

    public FakeResponse Answer(string body, IReadOnlyDictionary<string, string> headers)
    {
        if (RequiredKey is { } key && (!headers.TryGetValue("Authorization", out var auth) || auth != "Bearer " + key))
        {
            return FakeResponse.Error(401, "invalid_api_key", "Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.");
        }
        if (QuotaExhausted)
        {
            return FakeResponse.SpendLimit(QuotaCode);
        }

        JsonElement request;
        try
        {
            request = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return FakeResponse.Error(400, "invalid_json", "We could not parse the JSON body of your request.");
        }
        var model = Text(request, "model") ?? "dall-e-2";
        var custom = CustomSizeModels.Contains(model);
        if (!custom && !FixedSizeModels.Contains(model))
        {
            return FakeResponse.Error(404, "model_not_found", $"The model `{model}` does not exist or you do not have access to it.");
        }
        if (request.TryGetProperty("response_format", out _))
        {
            return FakeResponse.Error(400, "unknown_parameter", "Unknown parameter: 'response_format'.");
        }
        var quality = Text(request, "quality") ?? "auto";
        var qualities = model.StartsWith("gpt-image-2.", StringComparison.Ordinal) ? NewerQualities : Qualities;
        if (!qualities.Contains(quality))
        {
            return FakeResponse.Error(400, "invalid_value", $"Invalid value: '{quality}'. Supported values are: {string.Join(", ", qualities.Select(q => $"'{q}'"))}.");
        }
        var size = Text(request, "size") ?? (custom ? "1024x1024" : "auto");
        if (size == "auto")
        {
            size = "1024x1024";
        }
        if ((custom ? SizeProblem(size) : FixedSizes.Contains(size) ? null : "supported values are 1024x1024, 1536x1024 and 1024x1536") is { } problem)
        {
            return FakeResponse.Error(400, "invalid_value", $"Invalid size '{size}': {problem}.");
        }

        var limit = TakeImageSlot();
        if (limit.Rejected is { } rejected)
        {
            return rejected;
        }
        var (w, h) = Parse(size);
        var output = OutputTokens(model, w, h, quality);
        var prompt = Text(request, "prompt") ?? "";
        var textTokens = Math.Max(1, (prompt.Length + 3) / 4);
        var fault = Faults is { } faults ? Draw(faults, prompt) : null;
        if (fault?.Refusal is { } refusal)
        {
            return refusal;
        }
        long? imageId = fault is null ? null : Interlocked.Increment(ref _imageIds);
        var png = !TinyImages ? RealisticPng.Make(w, h, prompt, imageId)
            : imageId is { } id ? TestImages.Solid(w, h, (byte)(id >> 16), (byte)(id >> 8), (byte)id) : _pngs.GetOrAdd(size, _ => TestImages.Png(w, h));
        if (fault?.Outcome == "truncated")
        {
            png = png[..(png.Length / 2)];
            imageId = null;
        }
        var answer = FakeResponse.Json(new Dictionary<string, object?>
        {
            ["created"] = 1_767_225_600,
            ["data"] = new[] { new Dictionary<string, object?> { ["b64_json"] = Convert.ToBase64String(png) } },
            ["size"] = size,
            ["quality"] = quality == "auto" ? "high" : quality,
            ["usage"] = new Dictionary<string, object?>
            {
                ["input_tokens"] = textTokens,
                ["input_tokens_details"] = new { text_tokens = textTokens, image_tokens = 0 },
                ["output_tokens"] = output,
                ["total_tokens"] = textTokens + output,
            },
        }).WithDelay(fault?.Delay ?? Latency) with { Outcome = fault?.Outcome ?? "ok", ImageId = imageId, InputTokens = textTokens, OutputTokens = output };
        foreach (var (name, value) in limit.Headers)
        {
            answer = answer.WithHeader(name, value);
        }
        return answer;
    }

    private sealed record Fault(string Outcome, FakeResponse? Refusal, TimeSpan Delay);

    /// <summary>One seeded draw: a refusal, a hang, a truncated image or a plain answer, with its latency.</summary>
    private Fault Draw(FakeFaults f, string prompt)
    {
        string outcome;
        FakeResponse? refusal = null;
        TimeSpan delay;
        lock (_faultGate)
        {
            var now = DateTimeOffset.UtcNow;
            var u = _random.NextDouble();
            var pick = _random.NextDouble();
            delay = TimeSpan.FromMilliseconds(f.LatencyMs + (f.JitterMs > 0 ? _random.Next(f.JitterMs) : 0));
            if (now < _stormUntil || u < f.Storm)
            {
                if (now >= _stormUntil)
                {
                    _stormUntil = now.AddMilliseconds(f.StormMs);
                }
                var rest = _stormUntil - now;
                outcome = "storm";
                refusal = FakeResponse.RateLimited(Math.Ceiling(rest.TotalSeconds), Math.Ceiling(rest.TotalMilliseconds));
            }
            else if (f.RejectsPrompt(prompt))
            {
                outcome = "content_policy";
                refusal = FakeResponse.ModerationBlocked("input", "violence");
            }
            else if ((u -= f.Storm) < f.ServerError)
            {
                outcome = "server_error";
                refusal = FakeResponse.ServerError(pick < 0.5 ? 500 : 503);
            }
            else if ((u -= f.ServerError) < f.Hang)
            {
                outcome = "hang";
                delay = TimeSpan.FromMilliseconds(f.HangMs);
            }
            else if ((u -= f.Hang) < f.Truncated)
            {
                outcome = "truncated";
            }
            else if ((u -= f.Truncated) < f.Quota)
            {
                outcome = "quota";
                refusal = FakeResponse.Error(429, "insufficient_quota", "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota");
            }
            else
            {
                outcome = "ok";
            }
        }
        if (outcome != "ok")
        {
            _injected.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        }
        return new Fault(outcome, refusal is null ? null : refusal.WithDelay(delay) with { Outcome = outcome }, delay);
    }

    /// <summary>The gpt-image-2 size rule, or null when the size is legal.</summary>
    public static string? SizeProblem(string size)
    {
        var (w, h) = Parse(size);
        if (w <= 0 || h <= 0)
        {
            return "use WIDTHxHEIGHT";
        }
        if (w % 16 != 0 || h % 16 != 0)
        {
            return "both edges must be multiples of 16";
        }
        if (Math.Max(w, h) > 3840)
        {
            return "the long edge must be at most 3840";
        }
        if (Math.Max(w, h) > 3L * Math.Min(w, h))
        {
            return "the aspect ratio must be at most 3:1";
        }
        var pixels = (long)w * h;
        return pixels is < 655_360 or > 8_294_400 ? "total pixels must be between 655,360 and 8,294,400" : null;
    }

    private (FakeResponse? Rejected, Dictionary<string, string> Headers) TakeImageSlot()
    {
        var headers = new Dictionary<string, string>();
        if (ImagesPerMinute is not { } limit)
        {
            return (null, headers);
        }
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            while (_served.Count > 0 && now - _served.Peek() >= RateWindow)
            {
                _served.Dequeue();
            }
            var reset = _served.Count == 0 ? TimeSpan.Zero : RateWindow - (now - _served.Peek());
            headers["x-ratelimit-limit-requests"] = limit.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, reset.TotalMilliseconds):0}ms");
            if (_served.Count >= limit)
            {
                Interlocked.Increment(ref _limitHits);
                headers["x-ratelimit-remaining-requests"] = "0";
                var refused = FakeResponse.Error(429, "rate_limit_exceeded", $"Rate limit reached for images per minute: Limit {limit}. Please try again later.", "requests")
                    .WithHeader("retry-after-ms", string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, reset.TotalMilliseconds):0}"));
                foreach (var (name, value) in headers)
                {
                    refused = refused.WithHeader(name, value);
                }
                return (refused, headers);
            }
            _served.Enqueue(now);
            headers["x-ratelimit-remaining-requests"] = (limit - _served.Count).ToString(CultureInfo.InvariantCulture);
            return (null, headers);
        }
    }

    private static (int W, int H) Parse(string size)
    {
        var parts = size.Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? (w, h) : (0, 0);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
