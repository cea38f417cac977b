using System.Text;
using System.Text.Json;
using Btcedu.Core.Imaging;
using Btcedu.Core.Models;
using Btcedu.Core.OpenAi;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The Batch API's files for image requests (platform.openai.com/docs/guides/batch): the input, one line per
/// chapter <c>{"custom_id", "method": "POST", "url": "/v1/images/generations", "body": {…}}</c> with the body a
/// synchronous call sends; and the output and error files, whose lines <c>{"id", "custom_id", "response":
/// {"status_code", "request_id", "body"}, "error"}</c> come in no particular order.
/// </summary>
internal static class BatchLines
{
    /// <summary>OpenAI's limits for one input file.</summary>
    public const int MaxLines = 50_000;
    public const long MaxBytes = 200L * 1024 * 1024;

    /// <summary>The input file: one model, one line per request, custom_id the chapter id (unique in an episode).</summary>
    public static byte[] Input(ImageRequestProfile profile, IEnumerable<(string CustomId, string Prompt)> requests)
    {
        var text = new StringBuilder();
        foreach (var (customId, prompt) in requests)
        {
            var body = new Dictionary<string, object?> { ["model"] = profile.Model, ["prompt"] = prompt, ["n"] = 1, ["size"] = profile.Size, ["quality"] = profile.Quality };
            text.Append(JsonSerializer.Serialize(new Dictionary<string, object?> { ["custom_id"] = customId, ["method"] = "POST", ["url"] = OpenAIBatchApi.ImagesEndpoint, ["body"] = body }, Workspace.BtceduJson.Compact)).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return bytes.LongLength <= MaxBytes ? bytes
            : throw new BtceduException("ImageBatchTooLarge", BtceduErrorKind.LimitsExceeded, $"The batch input would be {bytes.LongLength:N0} bytes; OpenAI takes at most 200 MB per file. Select fewer chapters (-ChapterId).");
    }

    /// <summary>Every line of the output and error files, by custom_id; a custom_id seen twice keeps its first line.</summary>
    public static IReadOnlyDictionary<string, BatchLineResult> Read(ImageRequestProfile profile, params byte[]?[] files)
    {
        var results = new Dictionary<string, BatchLineResult>(StringComparer.Ordinal);
        foreach (var file in files.OfType<byte[]>())
        {
            // Line by line over the bytes: an output file holds every image in base64, so no copy of it as text.
            for (var start = 0; start < file.Length;)
            {
                var end = Array.IndexOf(file, (byte)'\n', start);
                end = end < 0 ? file.Length : end;
                var raw = file.AsMemory(start, end - start);
                start = end + 1;
                if (raw.Span.Trim(" \r\t"u8).Length == 0)
                {
                    continue;
                }
                var line = Parse(profile, raw);
                results.TryAdd(line.CustomId, line);
            }
        }
        return results;
    }

    private static BatchLineResult Parse(ImageRequestProfile profile, ReadOnlyMemory<byte> raw)
    {
        using var doc = JsonDocument.Parse(raw);
        var root = doc.RootElement;
        var customId = Text(root, "custom_id") ?? throw new JsonException("a batch output line without custom_id");
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = Text(error, "code");
            return new BatchLineResult(customId, Failure(code == "batch_expired" ? ApiOutcome.Failed : ApiOutcome.Failed, $"{code}: {Text(error, "message")}"), Expired: code == "batch_expired");
        }
        if (!root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("body", out var body))
        {
            return new BatchLineResult(customId, Failure(ApiOutcome.Failed, "The batch line holds neither a response nor an error."));
        }
        var status = response.TryGetProperty("status_code", out var s) && s.TryGetInt32(out var code2) ? code2 : 0;
        if (status != 200)
        {
            var e = body.TryGetProperty("error", out var be) && be.ValueKind == JsonValueKind.Object ? be : default;
            var errorCode = e.ValueKind == JsonValueKind.Object ? Text(e, "code") : null;
            var moderation = e.ValueKind == JsonValueKind.Object ? ApiFailure.ReadModeration(e) : null;
            var outcome = errorCode is not null && ApiFailure.ContentPolicyCodes.Contains(errorCode) ? ApiOutcome.ContentPolicyRejected : ApiOutcome.Failed;
            var message = e.ValueKind == JsonValueKind.Object ? Text(e, "message") : null;
            var text = outcome == ApiOutcome.ContentPolicyRejected && moderation is not null
                ? $"The provider's moderation blocked the {(moderation.Stage == "output" ? "generated image" : "prompt")} (HTTP {status} ({errorCode}); {moderation.Describe()}): {message} Change the chapter's visual."
                : $"The batch request failed (HTTP {status}{(errorCode is null ? "" : $" ({errorCode})")}): {message}";
            return new BatchLineResult(customId, Failure(outcome, text) with { Moderation = moderation });
        }
        var usage = body.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? Usage(u) : null;
        byte[]? image = null;
        string? revised = null;
        if (body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0)
        {
            // Decoded straight from the JSON's bytes: no base64 string of a few MB per image.
            if (data[0].ValueKind == JsonValueKind.Object && data[0].TryGetProperty("b64_json", out var b64) && b64.ValueKind == JsonValueKind.String && b64.TryGetBytesFromBase64(out var bytes))
            {
                image = bytes;
            }
            revised = Text(data[0], "revised_prompt");
        }
        var cost = profile.CostOf(usage);
        if (image is null)
        {
            return new BatchLineResult(customId, Failure(ApiOutcome.Failed, "The batch answer held no image.") with { Usage = usage, CostUsd = cost });
        }
        return new BatchLineResult(customId, new ImageGenResult
        {
            Outcome = ApiOutcome.Succeeded, Image = image, RevisedPrompt = revised, Usage = usage, CostUsd = cost,
            CostEstimated = usage is null, Attempts = 1,
        });
    }

    private static ImageGenResult Failure(ApiOutcome outcome, string message) => new() { Outcome = outcome, ErrorMessage = message, Attempts = 1 };

    private static ImageTokenUsage Usage(JsonElement u)
    {
        long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? Math.Max(0, n) : 0;
        var output = Long(u, "output_tokens");
        return u.TryGetProperty("input_tokens_details", out var d) && d.ValueKind == JsonValueKind.Object
            ? new ImageTokenUsage(Long(d, "text_tokens"), Long(d, "image_tokens"), output)
            : new ImageTokenUsage(Long(u, "input_tokens"), 0, output);
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>One line of a batch's output or error file: the result as a synchronous call would have given it.</summary>
internal sealed record BatchLineResult(string CustomId, ImageGenResult Result, bool Expired = false);
