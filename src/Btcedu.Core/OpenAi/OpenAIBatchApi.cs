using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenAI.Batch;
using OpenAI.Files;

namespace Btcedu.Core.OpenAi;

#pragma warning disable OPENAI001 // BatchClient is marked for evaluation in the SDK 2.x; only its pipeline and create are used.

/// <summary>
/// OpenAI's Files and Batch APIs (platform.openai.com/docs/guides/batch, checked 2026-12-04) over the shared
/// connection: its HttpClient, key and Polly pipeline. Files go through the SDK's <see cref="OpenAIFileClient"/>
/// (typed upload, list and download); batches through <see cref="BatchClient"/>'s pipeline, whose 2.15 surface is
/// protocol methods (JSON in, JSON out) with no list, so create, retrieve, list and cancel send their JSON on it.
/// A create is never retried after a timed-out attempt (it may have created the batch): the caller finds it by its
/// metadata instead. Every failure is a <see cref="BtceduException"/> with the key scrubbed.
/// </summary>
internal sealed class OpenAIBatchApi : IDisposable
{
    public const string ImagesEndpoint = "/v1/images/generations";

    private readonly OpenAIConnection _connection;
    private readonly OpenAIFileClient _files;
    private readonly BatchClient _batches;
    private readonly string _base;

    public OpenAIBatchApi(OpenAIEndpoint endpoint, OpenAIServiceOptions? options, TimeProvider? time, Action<string>? log)
    {
        _connection = new OpenAIConnection(endpoint, options ?? new OpenAIServiceOptions(), time ?? TimeProvider.System, log, "batch");
        var client = new OpenAI.OpenAIClient(_connection.Credential, _connection.ClientOptions);
        _files = client.GetOpenAIFileClient();
        _batches = client.GetBatchClient();
        _base = _connection.Endpoint.AbsoluteUri.TrimEnd('/');
    }

    public async Task<string> UploadAsync(byte[] jsonl, string fileName, CancellationToken ct)
    {
        var file = await CallAsync(t => _files.UploadFileAsync(new MemoryStream(jsonl), fileName, FileUploadPurpose.Batch, t), "upload the batch input file", ct, retryAfterTimeout: true).ConfigureAwait(false);
        return file.Id;
    }

    /// <summary>The batch input file of that name, if one was uploaded (a killed submit's upload).</summary>
    public async Task<string?> FindFileAsync(string fileName, CancellationToken ct)
    {
        var files = await CallAsync(t => _files.GetFilesAsync(FilePurpose.Batch, t), "list the batch files", ct).ConfigureAwait(false);
        return files.Where(f => f.Filename == fileName).OrderBy(f => f.CreatedAt).Select(f => f.Id).FirstOrDefault();
    }

    public async Task<byte[]> DownloadAsync(string fileId, CancellationToken ct)
    {
        var data = await CallAsync(t => _files.DownloadFileAsync(fileId, t), $"download file {fileId}", ct).ConfigureAwait(false);
        return data.ToArray();
    }

    public Task<BatchJob> CreateAsync(string inputFileId, IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["input_file_id"] = inputFileId, ["endpoint"] = ImagesEndpoint, ["completion_window"] = "24h", ["metadata"] = metadata,
        });
        return CallAsync(async t =>
        {
            var operation = await _batches.CreateBatchAsync(BinaryContent.Create(BinaryData.FromBytes(body)), waitUntilCompleted: false, new RequestOptions { CancellationToken = t }).ConfigureAwait(false);
            var response = operation.GetRawResponse();
            return ClientResult.FromValue(BatchJob.Parse(response.Content), response);
        }, "create the batch", ct, retryAfterTimeout: false);
    }

    public Task<BatchJob> GetAsync(string batchId, CancellationToken ct) =>
        CallAsync(t => SendAsync("GET", $"/batches/{Uri.EscapeDataString(batchId)}", t), $"read batch {batchId}", ct);

    public Task<BatchJob> CancelAsync(string batchId, CancellationToken ct) =>
        CallAsync(t => SendAsync("POST", $"/batches/{Uri.EscapeDataString(batchId)}/cancel", t), $"cancel batch {batchId}", ct);

    /// <summary>The newest batch whose metadata has <paramref name="key"/> = <paramref name="value"/>, looking through at most <paramref name="pages"/> pages of 100.</summary>
    public async Task<BatchJob?> FindBatchAsync(string key, string value, CancellationToken ct, int pages = 10)
    {
        string? after = null;
        for (var page = 0; page < pages; page++)
        {
            var query = "/batches?limit=100" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            var list = await CallAsync(t => SendListAsync(query, t), "list the batches", ct).ConfigureAwait(false);
            if (list.Jobs.FirstOrDefault(j => j.Metadata.TryGetValue(key, out var v) && v == value) is { } found)
            {
                return found;
            }
            if (!list.HasMore || list.Jobs.Count == 0)
            {
                return null;
            }
            after = list.Jobs[^1].Id;
        }
        return null;
    }

    public void Dispose() => _connection.Dispose();

    private async Task<ClientResult<BatchJob>> SendAsync(string method, string path, CancellationToken t)
    {
        var response = await SendRawAsync(method, path, t).ConfigureAwait(false);
        return ClientResult.FromValue(BatchJob.Parse(response.Content), response);
    }

    private async Task<ClientResult<BatchList>> SendListAsync(string path, CancellationToken t)
    {
        var response = await SendRawAsync("GET", path, t).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(response.Content);
        var jobs = doc.RootElement.GetProperty("data").EnumerateArray().Select(BatchJob.From).ToList();
        var more = doc.RootElement.TryGetProperty("has_more", out var m) && m.ValueKind == JsonValueKind.True;
        return ClientResult.FromValue(new BatchList(jobs, more), response);
    }

    private async Task<PipelineResponse> SendRawAsync(string method, string path, CancellationToken t)
    {
        using var message = _batches.Pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri = new Uri(_base + path);
        message.Request.Headers.Set("Accept", "application/json");
        if (method == "POST")
        {
            message.Request.Content = BinaryContent.Create(BinaryData.FromString("{}"));
            message.Request.Headers.Set("Content-Type", "application/json");
        }
        message.ResponseClassifier = PipelineMessageClassifier.Create(stackalloc ushort[] { 200 });
        message.BufferResponse = true;
        await _batches.Pipeline.SendAsync(message).ConfigureAwait(false);
        t.ThrowIfCancellationRequested();
        var response = message.ExtractResponse()!;
        if (response.IsError)
        {
            throw new ClientResultException(response);
        }
        return response;
    }

    /// <summary>One call under the connection's pipeline; its failure becomes an ImageBatchApiFailed error (or the run-stopping ids).</summary>
    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<ClientResult<T>>> call, string what, CancellationToken ct, bool retryAfterTimeout = true)
        where T : class
    {
        var result = await _connection.ExecuteAsync(call, ct, retryAfterTimeout ? null : () => false).ConfigureAwait(false);
        if (result.Failure is { } failure)
        {
            var message = $"Could not {what}: {_connection.Describe(failure, result.Attempts, "the Batch API")}";
            _connection.Log($"batch: {message}");
            var (id, kind) = failure.Outcome switch
            {
                ApiOutcome.KeyRejected => ("ApiKeyRejected", BtceduErrorKind.AuthenticationError),
                ApiOutcome.QuotaExhausted => ("QuotaExhausted", BtceduErrorKind.LimitsExceeded),
                _ => ("ImageBatchApiFailed", BtceduErrorKind.ConnectionError),
            };
            throw new BtceduException(id, kind, message, what);
        }
        return result.Value!;
    }
}

/// <summary>A page of batches.</summary>
internal sealed record BatchList(IReadOnlyList<BatchJob> Jobs, bool HasMore);

/// <summary>The fields of an OpenAI batch object the module reads.</summary>
internal sealed record BatchJob(string Id, string Status, string? InputFileId, string? OutputFileId, string? ErrorFileId, int Total, int Completed, int Failed,
    DateTimeOffset? CreatedAt, DateTimeOffset? ExpiresAt, IReadOnlyDictionary<string, string> Metadata, string? Errors)
{
    /// <summary>validating, in_progress, finalizing and cancelling may still change; the rest are final.</summary>
    public bool IsFinal => Status is "completed" or "failed" or "expired" or "cancelled";

    public static BatchJob Parse(BinaryData json)
    {
        using var doc = JsonDocument.Parse(json);
        return From(doc.RootElement);
    }

    public static BatchJob From(JsonElement e)
    {
        string? Text(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        DateTimeOffset? Time(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? DateTimeOffset.FromUnixTimeSeconds(v.GetInt64()) : null;
        int Count(string name) => e.TryGetProperty("request_counts", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty(name, out var n) && n.TryGetInt32(out var i) ? i : 0;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in m.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                metadata[p.Name] = p.Value.GetString()!;
            }
        }
        string? errors = null;
        if (e.TryGetProperty("errors", out var errs) && errs.ValueKind == JsonValueKind.Object && errs.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            errors = string.Join("; ", data.EnumerateArray().Select(d => string.Create(CultureInfo.InvariantCulture,
                $"{(d.TryGetProperty("code", out var c) ? c.ToString() : "error")}: {(d.TryGetProperty("message", out var msg) ? msg.ToString() : "")}{(d.TryGetProperty("line", out var l) && l.ValueKind == JsonValueKind.Number ? $" (line {l})" : "")}")));
        }
        return new BatchJob(Text("id") ?? throw new JsonException("a batch without an id"), Text("status") ?? "unknown", Text("input_file_id"), Text("output_file_id"), Text("error_file_id"),
            Count("total"), Count("completed"), Count("failed"), Time("created_at"), Time("expires_at"), metadata, errors);
    }
}
