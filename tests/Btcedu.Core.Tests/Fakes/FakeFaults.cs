using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>
/// Seeded fault injection for the emulated images API (the fault soak, soak/Invoke-Soak.ps1). Each answered
/// request draws once from a <see cref="Random"/> seeded with <see cref="Seed"/>, so the sequence of faults in
/// arrival order is fixed by the seed (which request gets which one depends on timing across processes).
/// Rates are probabilities per request, tried in this order:
/// <list type="bullet">
/// <item><see cref="Storm"/>: starts a 429 storm of <see cref="StormMs"/>; every request inside the window gets 429
/// rate_limit_exceeded with Retry-After (seconds, rounded up) and retry-after-ms (the window's rest).</item>
/// <item><see cref="ContentPolicy"/>: per prompt, not per request (the real API rejects the same prompt again):
/// a prompt whose seeded hash falls under the rate always gets 400 content_policy_violation.</item>
/// <item><see cref="ServerError"/>: 500 or 503 server_error.</item>
/// <item><see cref="Hang"/>: the answer (a valid image) comes after <see cref="HangMs"/>, beyond the client's timeout.</item>
/// <item><see cref="Truncated"/>: 200 with usage (billed) and the first half of a PNG in b64_json.</item>
/// <item><see cref="Quota"/>: 429 insufficient_quota.</item>
/// </list>
/// Every other request is answered with a valid image after <see cref="LatencyMs"/> plus up to <see cref="JitterMs"/>.
/// In fault mode every image is a solid colour that encodes its image id (red = id bits 16-23, green 8-15, blue
/// 0-7), so a PNG the product kept can be traced back to the call that delivered it.
/// </summary>
public sealed record FakeFaults
{
    public int Seed { get; init; }
    public double Storm { get; init; }
    public int StormMs { get; init; } = 1500;
    public double ContentPolicy { get; init; }
    public double ServerError { get; init; }
    public double Hang { get; init; }
    public int HangMs { get; init; } = 10_000;
    public double Truncated { get; init; }
    public double Quota { get; init; }
    public int LatencyMs { get; init; }
    public int JitterMs { get; init; }

    /// <summary>The kinds of injected fault, as logged in <see cref="FakeImageCall.Outcome"/>.</summary>
    public static readonly string[] Kinds = ["storm", "content_policy", "server_error", "hang", "truncated", "quota"];

    public static FakeFaults Parse(JsonElement e)
    {
        double Rate(string name) => e.TryGetProperty(name, out var v) ? v.GetDouble() : 0;
        int Ms(string name, int fallback) => e.TryGetProperty(name, out var v) ? v.GetInt32() : fallback;
        return new FakeFaults
        {
            Seed = Ms("seed", 0),
            Storm = Rate("storm"),
            StormMs = Ms("stormMs", 1500),
            ContentPolicy = Rate("contentPolicy"),
            ServerError = Rate("serverError"),
            Hang = Rate("hang"),
            HangMs = Ms("hangMs", 10_000),
            Truncated = Rate("truncated"),
            Quota = Rate("quota"),
            LatencyMs = Ms("latencyMs", 0),
            JitterMs = Ms("jitterMs", 0),
        };
    }

    /// <summary>Whether the content filter rejects this prompt: the same answer for the same seed and prompt, every time.</summary>
    public bool RejectsPrompt(string prompt)
    {
        if (ContentPolicy <= 0)
        {
            return false;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Seed}\n{prompt}"));
        var unit = BitConverter.ToUInt64(hash, 0) / (double)ulong.MaxValue;
        return unit < ContentPolicy;
    }
}

/// <summary>
/// One answered request to the images endpoint, as GET /_fake/calls lists it. <see cref="Tag"/> is the client's
/// path prefix (/r/{tag}/v1/...), which the soak gives every process it starts. <see cref="Delivered"/>: the whole
/// answer was written to the connection (false when the client gave up or died first); <see cref="ImageId"/>: the
/// id a valid image encodes, when the answer carried one.
/// </summary>
public sealed record FakeImageCall(
    long Seq, string? Tag, DateTimeOffset ReceivedAt, DateTimeOffset AnsweredAt, string? Prompt, string Outcome, int Status,
    long? ImageId, bool Delivered, int? InputTokens, int? OutputTokens);
