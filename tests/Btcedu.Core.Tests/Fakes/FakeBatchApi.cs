using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>
/// OpenAI's Files and Batch APIs as the fake serves them (platform.openai.com/docs/guides/batch and the API
/// reference, checked 2026-12-04), for /v1/images/generations lines:
/// <list type="bullet">
/// <item>POST /v1/files (multipart: purpose=batch, file), GET /v1/files[?purpose=], GET /v1/files/{id}, GET /v1/files/{id}/content.</item>
/// <item>POST /v1/batches {input_file_id, endpoint, completion_window:"24h", metadata}, GET /v1/batches/{id},
/// GET /v1/batches?after=&amp;limit= (newest first, has_more), POST /v1/batches/{id}/cancel.</item>
/// <item>A batch is validating for <see cref="ValidationDelay"/>, then failed (an invalid input file: a line that is
/// not JSON, a missing or repeated custom_id, another url, more than one model) or in_progress; line i finishes at
/// i+1 of n parts of <see cref="RunDelay"/>, answered by the emulated images API (<see cref="FakeImageApi"/>);
/// then finalizing, completed. A line whose prompt contains one of <see cref="FailPrompts"/> is blocked by
/// moderation and goes to the error file. With <see cref="ExpireAfter"/> shorter than the run, the batch expires:
/// finished lines in the output file, the rest batch_expired in the error file. A cancel is cancelling for
/// <see cref="CancelDelay"/>, then cancelled, keeping the lines finished by the cancel.</item>
/// </list>
/// Time is the wall clock; each state is computed when the batch is read. Output lines come in reverse order, as
/// OpenAI's may come in any.
/// </summary>
public sealed class FakeBatchApi
{
    private readonly ConcurrentDictionary<string, FakeFile> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeBatch> _batches = new(StringComparer.Ordinal);
    private readonly FakeImageApi _images;
    private long _ids;

    public FakeBatchApi(FakeImageApi images) => _images = images;

    public TimeSpan ValidationDelay { get; set; }
    public TimeSpan RunDelay { get; set; }
    public TimeSpan CancelDelay { get; set; }
    /// <summary>When set and shorter than the run, the batch expires this long after it started.</summary>
    public TimeSpan? ExpireAfter { get; set; }
    /// <summary>Prompts containing any of these are blocked by moderation (input stage, category violence).</summary>
    public IReadOnlyList<string> FailPrompts { get; set; } = [];

    /// <summary>Every batch created so far (to count duplicates).</summary>
    public int BatchesCreated => _batches.Count;

    public void Reset()
    {
        _files.Clear();
        _batches.Clear();
        ValidationDelay = RunDelay = CancelDelay = TimeSpan.Zero;
        ExpireAfter = null;
        FailPrompts = [];
    }

    public void Configure(JsonElement root)
    {
        static TimeSpan Ms(JsonElement e) => TimeSpan.FromMilliseconds(e.GetDouble());
        if (root.TryGetProperty("validationMs", out var v)) { ValidationDelay = Ms(v); }
        if (root.TryGetProperty("runMs", out var r)) { RunDelay = Ms(r); }
        if (root.TryGetProperty("cancelMs", out var c)) { CancelDelay = Ms(c); }
        if (root.TryGetProperty("expireMs", out var x)) { ExpireAfter = x.ValueKind == JsonValueKind.Null ? null : Ms(x); }
        if (root.TryGetProperty("failPrompts", out var f)) { FailPrompts = [.. f.EnumerateArray().Select(p => p.GetString()!)]; }
    }

    /// <summary>Answers a Files or Batch request, or null when the path is neither.</summary>
    public FakeResponse? Answer(string method, string path, string query, byte[] body, string? contentType, IReadOnlyDictionary<string, string> headers)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries); // v1, files|batches, id, content|cancel
        if (parts.Length < 2 || parts[0] != "v1" || parts[1] is not ("files" or "batches"))
        {
            return null;
        }
        if (_images.RequiredKey is { } key && (!headers.TryGetValue("Authorization", out var auth) || auth != "Bearer " + key))
        {
            return FakeResponse.Error(401, "invalid_api_key", "Incorrect API key provided: sk-***.");
        }
        return (parts[1], parts.Length, method) switch
        {
            ("files", 2, "POST") => Upload(body, contentType),
            ("files", 2, "GET") => List(_files.Values.Where(f => !query.Contains("purpose=", StringComparison.Ordinal) || query.Contains("purpose=" + f.Purpose, StringComparison.Ordinal)).OrderBy(f => f.Seq).Select(FileJson), hasMore: false),
            ("files", 3, "GET") => _files.TryGetValue(parts[2], out var file) ? FakeResponse.Json(FileJson(file)) : NotFound("file", parts[2]),
            ("files", 4, "GET") when parts[3] == "content" => _files.TryGetValue(parts[2], out var file) ? FakeResponse.File(file.Bytes, "application/octet-stream") : NotFound("file", parts[2]),
            ("batches", 2, "POST") => Create(body),
            ("batches", 2, "GET") => ListBatches(query),
            ("batches", 3, "GET") => _batches.TryGetValue(parts[2], out var batch) ? FakeResponse.Json(Advance(batch)) : NotFound("batch", parts[2]),
            ("batches", 4, "POST") when parts[3] == "cancel" => _batches.TryGetValue(parts[2], out var batch) ? Cancel(batch) : NotFound("batch", parts[2]),
            _ => FakeResponse.Error(404, "not_found", $"No route for {method} {path}."),
        };
    }

    private static FakeResponse NotFound(string what, string id) => FakeResponse.Error(404, null, $"No such {what}: '{id}'.");

    private FakeResponse Upload(byte[] body, string? contentType)
    {
        var form = Multipart.Parse(body, contentType);
        if (form is null || !form.TryGetValue("file", out var file) || !form.TryGetValue("purpose", out var purpose))
        {
            return FakeResponse.Error(400, null, "Upload a multipart form with 'file' and 'purpose'.");
        }
        var purposeText = Encoding.UTF8.GetString(purpose.Bytes);
        if (purposeText != "batch")
        {
            return FakeResponse.Error(400, "invalid_value", $"Invalid purpose '{purposeText}' for this fake: batch only.");
        }
        if (file.Bytes.Length > 200L * 1024 * 1024)
        {
            return FakeResponse.Error(400, "file_too_large", "A batch input file may hold at most 200 MB.");
        }
        var f = NewFile(file.FileName ?? "upload.jsonl", "batch", file.Bytes);
        return FakeResponse.Json(FileJson(f));
    }

    private FakeFile NewFile(string name, string purpose, byte[] bytes)
    {
        var seq = Interlocked.Increment(ref _ids);
        var f = new FakeFile("file-fake" + seq.ToString(CultureInfo.InvariantCulture), seq, name, purpose, bytes, DateTimeOffset.UtcNow);
        _files[f.Id] = f;
        return f;
    }

    private static Dictionary<string, object?> FileJson(FakeFile f) => new()
    {
        ["id"] = f.Id, ["object"] = "file", ["bytes"] = f.Bytes.Length, ["created_at"] = f.Created.ToUnixTimeSeconds(),
        ["expires_at"] = f.Created.AddDays(30).ToUnixTimeSeconds(), ["filename"] = f.Name, ["purpose"] = f.Purpose, ["status"] = "processed",
    };

    private static FakeResponse List(IEnumerable<object> data, bool hasMore)
    {
        var items = data.ToList();
        return FakeResponse.Json(new Dictionary<string, object?>
        {
            ["object"] = "list", ["data"] = items, ["has_more"] = hasMore,
            ["first_id"] = items.Count > 0 ? (items[0] as IDictionary<string, object?>)?["id"] : null,
            ["last_id"] = items.Count > 0 ? (items[^1] as IDictionary<string, object?>)?["id"] : null,
        });
    }

    private FakeResponse Create(byte[] body)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(body)!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return FakeResponse.Error(400, "invalid_json", "We could not parse the JSON body of your request.");
        }
        var fileId = (string?)request["input_file_id"];
        var endpoint = (string?)request["endpoint"];
        if (fileId is null || !_files.TryGetValue(fileId, out var file))
        {
            return FakeResponse.Error(400, "invalid_value", $"Invalid input_file_id '{fileId}': no such file.");
        }
        if (endpoint is not ("/v1/images/generations" or "/v1/chat/completions" or "/v1/embeddings" or "/v1/responses"))
        {
            return FakeResponse.Error(400, "invalid_value", $"Invalid endpoint '{endpoint}'.");
        }
        if ((string?)request["completion_window"] != "24h")
        {
            return FakeResponse.Error(400, "invalid_value", "completion_window must be '24h'.");
        }
        var metadata = request["metadata"] is JsonObject m ? m.ToDictionary(p => p.Key, p => (string?)p.Value) : [];
        var seq = Interlocked.Increment(ref _ids);
        var batch = new FakeBatch("batch_fake" + seq.ToString(CultureInfo.InvariantCulture), seq, file, endpoint, metadata, DateTimeOffset.UtcNow,
            ValidationDelay, RunDelay, ExpireAfter, [.. FailPrompts]);
        _batches[batch.Id] = batch;
        return FakeResponse.Json(Advance(batch));
    }

    private FakeResponse ListBatches(string query)
    {
        var q = System.Web.HttpUtility.ParseQueryString(query);
        var limit = int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 100) : 20;
        var all = _batches.Values.OrderByDescending(b => b.Seq).ToList();
        if (q["after"] is { } after && all.FindIndex(b => b.Id == after) is var at && at >= 0)
        {
            all = all[(at + 1)..];
        }
        return List(all.Take(limit).Select(Advance), hasMore: all.Count > limit);
    }

    private FakeResponse Cancel(FakeBatch batch)
    {
        lock (batch)
        {
            Advance(batch);
            if (batch.Status is "completed" or "failed" or "expired" or "cancelled")
            {
                return FakeResponse.Error(409, null, $"Cannot cancel a batch that is {batch.Status}.");
            }
            batch.CancelAt ??= DateTimeOffset.UtcNow;
            batch.CancelDelay = CancelDelay;
        }
        return FakeResponse.Json(Advance(batch));
    }

    /// <summary>Brings the batch to where the clock says it is, writing its files on the way to a final state; returns its JSON.</summary>
    private Dictionary<string, object?> Advance(FakeBatch b)
    {
        lock (b)
        {
            var now = DateTimeOffset.UtcNow;
            if (b.Final is null)
            {
                var lines = b.Lines ??= Parse(b);
                var started = b.Created + b.Validation;
                if (now < started && b.CancelAt is null)
                {
                    b.Status = "validating";
                }
                else if (lines.Problem is { } problem)
                {
                    b.Status = "failed";
                    b.Errors = problem;
                    b.Final = now;
                }
                else
                {
                    var n = lines.Requests.Count;
                    TimeSpan DoneAt(int i) => b.Run * (i + 1) / Math.Max(1, n);
                    var cancelledAt = b.CancelAt is { } c ? (c < started ? started : c) : (DateTimeOffset?)null;
                    var expiresAt = b.Expire is { } x && x < b.Run ? started + x : (DateTimeOffset?)null;
                    var stopAt = new[] { cancelledAt, expiresAt }.Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                    var finishedBy = now < stopAt ? now : stopAt;
                    b.Done = Enumerable.Range(0, n).Count(i => started + DoneAt(i) <= finishedBy);
                    if (cancelledAt is { } cancelled)
                    {
                        if (now < cancelled + b.CancelDelay)
                        {
                            b.Status = "cancelling";
                        }
                        else
                        {
                            Finish(b, "cancelled", null, now);
                        }
                    }
                    else if (expiresAt is { } expired && now >= expired)
                    {
                        Finish(b, "expired", "batch_expired", now);
                    }
                    else if (b.Done < n)
                    {
                        b.Status = "in_progress";
                    }
                    else
                    {
                        Finish(b, "completed", null, now);
                    }
                }
            }
            var counts = b.Results is { } r
                ? new { total = b.Lines!.Requests.Count, completed = r.Count(x => x.Ok), failed = r.Count(x => !x.Ok) }
                : new { total = b.Lines?.Requests.Count ?? 0, completed = b.Done, failed = 0 };
            return new Dictionary<string, object?>
            {
                ["id"] = b.Id, ["object"] = "batch", ["endpoint"] = b.Endpoint, ["errors"] = b.Errors, ["input_file_id"] = b.Input.Id,
                ["completion_window"] = "24h", ["status"] = b.Status, ["output_file_id"] = b.OutputFileId, ["error_file_id"] = b.ErrorFileId,
                ["created_at"] = b.Created.ToUnixTimeSeconds(), ["expires_at"] = b.Created.AddHours(24).ToUnixTimeSeconds(),
                ["completed_at"] = b.Status == "completed" ? b.Final?.ToUnixTimeSeconds() : null,
                ["cancelled_at"] = b.Status == "cancelled" ? b.Final?.ToUnixTimeSeconds() : null,
                ["expired_at"] = b.Status == "expired" ? b.Final?.ToUnixTimeSeconds() : null,
                ["request_counts"] = counts, ["metadata"] = b.Metadata,
            };
        }
    }

    /// <summary>Answers the finished lines through the images API, the rest as expired (or nothing, when cancelled), and writes the files.</summary>
    private void Finish(FakeBatch b, string status, string? unfinishedCode, DateTimeOffset now)
    {
        var requests = b.Lines!.Requests;
        var output = new List<string>();
        var errors = new List<string>();
        var results = new List<(bool Ok, string CustomId)>();
        var headers = new Dictionary<string, string>();
        for (var i = 0; i < requests.Count; i++)
        {
            var (customId, requestBody) = requests[i];
            var id = "batch_req_" + b.Seq.ToString(CultureInfo.InvariantCulture) + "_" + i.ToString(CultureInfo.InvariantCulture);
            if (i >= b.Done)
            {
                if (unfinishedCode is not null)
                {
                    errors.Add(JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["id"] = id, ["custom_id"] = customId, ["response"] = null,
                        ["error"] = new { code = unfinishedCode, message = "This request could not be executed before the completion window expired." },
                    }));
                    results.Add((false, customId));
                }
                continue;
            }
            var prompt = JsonNode.Parse(requestBody)?["prompt"]?.GetValue<string>() ?? "";
            var answer = b.FailPrompts.Any(p => prompt.Contains(p, StringComparison.Ordinal))
                ? FakeResponse.ModerationBlocked("input", "violence")
                : _images.Answer(requestBody, headers);
            var line = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = id, ["custom_id"] = customId,
                ["response"] = new Dictionary<string, object?> { ["status_code"] = answer.Status, ["request_id"] = "req_" + id, ["body"] = JsonNode.Parse(answer.Body) },
                ["error"] = null,
            });
            (answer.Status == 200 ? output : errors).Add(line);
            results.Add((answer.Status == 200, customId));
        }
        output.Reverse(); // in no particular order
        b.OutputFileId = output.Count > 0 ? NewFile(b.Id + "_output.jsonl", "batch_output", Encoding.UTF8.GetBytes(string.Join('\n', output) + "\n")).Id : null;
        b.ErrorFileId = errors.Count > 0 ? NewFile(b.Id + "_error.jsonl", "batch_output", Encoding.UTF8.GetBytes(string.Join('\n', errors) + "\n")).Id : null;
        b.Results = results;
        b.Status = status;
        b.Final = now;
    }

    /// <summary>The input file's requests, or the validation errors OpenAI would report for it.</summary>
    private static ParsedLines Parse(FakeBatch b)
    {
        var requests = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var models = new HashSet<string>(StringComparer.Ordinal);
        var lineNo = 0;
        object Problem(string code, string message) => new { @object = "list", data = new[] { new { code, message, param = (string?)null, line = lineNo } } };
        foreach (var raw in Encoding.UTF8.GetString(b.Input.Bytes).Split('\n'))
        {
            lineNo++;
            if (raw.Length == 0)
            {
                continue;
            }
            JsonObject line;
            try
            {
                line = JsonNode.Parse(raw)!.AsObject();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return new ParsedLines(requests, Problem("invalid_json_line", "This line is not parseable as valid JSON."));
            }
            var customId = (string?)line["custom_id"];
            if (string.IsNullOrEmpty(customId) || !seen.Add(customId))
            {
                return new ParsedLines(requests, Problem("duplicate_custom_id", "The custom_id for this request is missing or a duplicate of another request."));
            }
            if ((string?)line["url"] != b.Endpoint || (string?)line["method"] != "POST" || line["body"] is not JsonObject body)
            {
                return new ParsedLines(requests, Problem("invalid_url", "The URL provided for this request does not match the batch endpoint."));
            }
            models.Add((string?)body["model"] ?? "");
            if (models.Count > 1)
            {
                return new ParsedLines(requests, Problem("mismatched_model", "The provided model does not match the model in other requests in this file: one model per file."));
            }
            requests.Add((customId, body.ToJsonString()));
        }
        if (requests.Count == 0)
        {
            return new ParsedLines(requests, Problem("empty_file", "The input file holds no requests."));
        }
        return requests.Count > 50_000 ? new ParsedLines(requests, Problem("too_many_requests", "A batch may hold at most 50,000 requests.")) : new ParsedLines(requests, null);
    }

    private sealed record FakeFile(string Id, long Seq, string Name, string Purpose, byte[] Bytes, DateTimeOffset Created);

    private sealed record ParsedLines(List<(string CustomId, string Body)> Requests, object? Problem);

    private sealed class FakeBatch(string id, long seq, FakeFile input, string endpoint, Dictionary<string, string?> metadata, DateTimeOffset created,
        TimeSpan validation, TimeSpan run, TimeSpan? expire, string[] failPrompts)
    {
        public string Id { get; } = id;
        public long Seq { get; } = seq;
        public FakeFile Input { get; } = input;
        public string Endpoint { get; } = endpoint;
        public Dictionary<string, string?> Metadata { get; } = metadata;
        public DateTimeOffset Created { get; } = created;
        public TimeSpan Validation { get; } = validation;
        public TimeSpan Run { get; } = run;
        public TimeSpan? Expire { get; } = expire;
        public string[] FailPrompts { get; } = failPrompts;
        public ParsedLines? Lines { get; set; }
        public string Status { get; set; } = "validating";
        public object? Errors { get; set; }
        public int Done { get; set; }
        public DateTimeOffset? CancelAt { get; set; }
        public TimeSpan CancelDelay { get; set; }
        public DateTimeOffset? Final { get; set; }
        public string? OutputFileId { get; set; }
        public string? ErrorFileId { get; set; }
        public List<(bool Ok, string CustomId)>? Results { get; set; }
    }
}

/// <summary>Just enough multipart/form-data parsing for a file upload: each part's name, file name and bytes.</summary>
internal static class Multipart
{
    public static Dictionary<string, (string? FileName, byte[] Bytes)>? Parse(byte[] body, string? contentType)
    {
        var boundary = contentType?.Split(';').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))?["boundary=".Length..].Trim('"');
        if (boundary is null)
        {
            return null;
        }
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, new MemoryStream(body));
        var parts = new Dictionary<string, (string?, byte[])>(StringComparer.Ordinal);
        while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
        {
            var disposition = section.ContentDisposition ?? "";
            string? Param(string name) => disposition.Split(';').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..].Trim('"');
            using var bytes = new MemoryStream();
            section.Body.CopyTo(bytes);
            if (Param("name") is { } partName)
            {
                parts[partName] = (Param("filename"), bytes.ToArray());
            }
        }
        return parts;
    }
}
