using System.Globalization;
using Btcedu.Core.Workspace;
using Microsoft.Data.Sqlite;

namespace Btcedu.Core.Storage;

/// <summary>
/// The <c>image_batches</c> and <c>image_batch_requests</c> tables: the journal of batch mode. Each change that
/// moves money commits in one transaction with the batch's <c>pipeline_runs</c> totals, whose cost is always what
/// the batch's requests hold: a pending request its reservation, a settled one its price, a released one nothing.
/// </summary>
internal sealed class ImageBatchStore
{
    private const string Columns = "id, episode_id, run_id, key, model, size, quality, input_sha256, input, file_name, file_id, batch_id, status, requests, completed, failed, reserved_usd, submitted_at, expires_at, output_file_id, error_file_id, collected_at, error";
    private readonly Database _db;

    public ImageBatchStore(Database db) => _db = db;

    /// <summary>
    /// Journals a batch's intent before anything is uploaded: the batch, its requests with their reservations, and
    /// the run row (status batch) holding those reservations plus what writing the prompts cost.
    /// </summary>
    public long Intend(NewImageBatch batch, IReadOnlyList<ImageBatchRequest> requests, long runId, decimal promptCostUsd, long inputTokens, long outputTokens)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        connection.Execute("""
            INSERT INTO image_batches (episode_id, run_id, key, model, size, quality, input_sha256, input, file_name, status, requests, reserved_usd, submitted_at)
            VALUES ($e, $run, $key, $model, $size, $quality, $sha, $input, $file, $status, $n, $reserved, $now)
            """, tx, ("$e", batch.EpisodeId), ("$run", runId), ("$key", batch.Key), ("$model", batch.Model), ("$size", batch.Size), ("$quality", batch.Quality),
            ("$sha", batch.InputSha256), ("$input", batch.Input), ("$file", batch.FileName), ("$status", ImageBatchStates.Intended), ("$n", requests.Count),
            ("$reserved", (double)requests.Sum(r => r.ReservedUsd)), ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
        var id = connection.ScalarLong("SELECT last_insert_rowid()", tx);
        foreach (var r in requests)
        {
            connection.Execute("""
                INSERT INTO image_batch_requests (batch, custom_id, episode_id, chapter_id, chapter_hash, prompt, reserved_usd, state)
                VALUES ($b, $c, $e, $ch, $hash, $prompt, $reserved, $state)
                """, tx, ("$b", id), ("$c", r.CustomId), ("$e", batch.EpisodeId), ("$ch", r.ChapterId), ("$hash", r.ChapterHash), ("$prompt", r.Prompt),
                ("$reserved", (double)r.ReservedUsd), ("$state", ImageBatchRequestStates.Pending));
        }
        connection.Execute("UPDATE pipeline_runs SET status = $status WHERE id = $id", tx, ("$id", runId), ("$status", PipelineRunStatus.Batch));
        PipelineRunStore.UpdateTotals(connection, tx, new RunTotals(runId, inputTokens, outputTokens, promptCostUsd + requests.Sum(r => r.ReservedUsd)));
        tx.Commit();
        return id;
    }

    public void SetFile(long id, string fileId)
    {
        using var connection = _db.Connect();
        connection.Execute("UPDATE image_batches SET file_id = $f, status = $s WHERE id = $id AND batch_id IS NULL", null, ("$id", id), ("$f", fileId), ("$s", ImageBatchStates.Uploaded));
    }

    /// <summary>Records what OpenAI says of the batch (its id, status, counts, files, expiry).</summary>
    public void Update(long id, string batchId, string status, int completed, int failed, DateTimeOffset? expiresAt, string? outputFileId, string? errorFileId, string? error)
    {
        using var connection = _db.Connect();
        connection.Execute("""
            UPDATE image_batches SET batch_id = $b, status = $s, completed = $c, failed = $f, expires_at = COALESCE($x, expires_at),
                output_file_id = $out, error_file_id = $err, error = $error WHERE id = $id
            """, null, ("$id", id), ("$b", batchId), ("$s", status), ("$c", completed), ("$f", failed),
            ("$x", expiresAt is { } x ? Timestamps.Format(x) : null), ("$out", outputFileId), ("$err", errorFileId), ("$error", error));
    }

    /// <summary>Ends a batch nothing will be collected from (it failed validation, or never reached OpenAI): every reservation is released.</summary>
    public void Abandon(long id, string status, string error)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        double pendingReserved;
        using (var sum = connection.Command("SELECT COALESCE(SUM(reserved_usd), 0) FROM image_batch_requests WHERE batch = $b AND state = $pending", tx,
            ("$b", id), ("$pending", ImageBatchRequestStates.Pending)))
        {
            pendingReserved = Convert.ToDouble(sum.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        connection.Execute("UPDATE image_batch_requests SET state = $s, cost_usd = 0 WHERE batch = $b AND state = $pending", tx,
            ("$b", id), ("$s", ImageBatchRequestStates.Released), ("$pending", ImageBatchRequestStates.Pending));
        connection.Execute("UPDATE image_batches SET status = $s, error = $error, collected_at = $now WHERE id = $id", tx,
            ("$id", id), ("$s", status), ("$error", error), ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
        connection.Execute("""
            UPDATE pipeline_runs SET status = $status, completed_at = $now, error_message = $error, estimated_cost_usd = MAX(0, estimated_cost_usd - $released)
            WHERE id = (SELECT run_id FROM image_batches WHERE id = $b)
            """, tx, ("$b", id), ("$released", pendingReserved), ("$status", PipelineRunStatus.Failed), ("$error", error),
            ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
        tx.Commit();
    }

    /// <summary>Settles one request at its price, inside another store's transaction (the delivery journal's answer, which writes the run's totals).</summary>
    internal static void Settle(SqliteConnection connection, SqliteTransaction tx, long batch, string customId, decimal costUsd) =>
        connection.Execute("UPDATE image_batch_requests SET state = $s, cost_usd = $cost WHERE batch = $b AND custom_id = $c AND state = $pending", tx,
            ("$b", batch), ("$c", customId), ("$s", ImageBatchRequestStates.Settled), ("$cost", (double)costUsd), ("$pending", ImageBatchRequestStates.Pending));

    /// <summary>Releases one request's reservation (its line failed, expired or was cancelled), with the run's totals as of now.</summary>
    public void Release(long batch, string customId, string state, RunTotals totals)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        connection.Execute("UPDATE image_batch_requests SET state = $s, cost_usd = 0 WHERE batch = $b AND custom_id = $c AND state = $pending", tx,
            ("$b", batch), ("$c", customId), ("$s", state), ("$pending", ImageBatchRequestStates.Pending));
        PipelineRunStore.UpdateTotals(connection, tx, totals);
        tx.Commit();
    }

    /// <summary>
    /// Settles a request whose result the collect does not place (its chapter was made meanwhile, or changed): at its
    /// price when it ran (<paramref name="costUsd"/>), released otherwise, adjusting the batch's run row by the difference.
    /// </summary>
    public void SettleUnplaced(long batch, string customId, decimal? costUsd, long runId)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        var reserved = connection.Query("SELECT reserved_usd FROM image_batch_requests WHERE batch = $b AND custom_id = $c AND state = $pending", r => r.GetDouble(0), tx,
            ("$b", batch), ("$c", customId), ("$pending", ImageBatchRequestStates.Pending));
        if (reserved.Count == 1)
        {
            connection.Execute("UPDATE image_batch_requests SET state = $s, cost_usd = $cost WHERE batch = $b AND custom_id = $c", tx,
                ("$b", batch), ("$c", customId), ("$s", costUsd is null ? ImageBatchRequestStates.Released : ImageBatchRequestStates.Settled), ("$cost", (double)(costUsd ?? 0)));
            connection.Execute("UPDATE pipeline_runs SET estimated_cost_usd = MAX(0, estimated_cost_usd - $reserved + $cost) WHERE id = $id", tx,
                ("$id", runId), ("$reserved", reserved[0]), ("$cost", (double)(costUsd ?? 0)));
        }
        tx.Commit();
    }

    public void MarkCollected(long id)
    {
        using var connection = _db.Connect();
        connection.Execute("UPDATE image_batches SET collected_at = $now WHERE id = $id AND collected_at IS NULL", null, ("$id", id), ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
    }

    /// <summary>Batches not yet collected (or abandoned), of one episode or all, oldest first.</summary>
    public IReadOnlyList<ImageBatchRow> Open(string? episodeId = null)
    {
        using var connection = _db.Connect();
        return connection.Query($"SELECT {Columns} FROM image_batches WHERE collected_at IS NULL AND ($e IS NULL OR episode_id = $e) ORDER BY id", Read, null, ("$e", episodeId));
    }

    public IReadOnlyList<ImageBatchRow> List(string? episodeId = null)
    {
        using var connection = _db.Connect();
        return connection.Query($"SELECT {Columns} FROM image_batches WHERE ($e IS NULL OR episode_id = $e) ORDER BY id", Read, null, ("$e", episodeId));
    }

    public IReadOnlyList<ImageBatchRequestRow> Requests(long batch)
    {
        using var connection = _db.Connect();
        return connection.Query("SELECT batch, custom_id, chapter_id, chapter_hash, prompt, reserved_usd, state, cost_usd FROM image_batch_requests WHERE batch = $b ORDER BY rowid",
            r => new ImageBatchRequestRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Usd(r, 5), r.GetString(6), r.IsDBNull(7) ? null : Usd(r, 7)),
            null, ("$b", batch));
    }

    /// <summary>The chapters an open batch of the episode holds (pending or settled, not yet collected), each with its hash and batch.</summary>
    public IReadOnlyList<(string ChapterId, string ChapterHash, long Batch, string? BatchId)> Pending(string episodeId)
    {
        using var connection = _db.Connect();
        return connection.Query("""
            SELECT r.chapter_id, r.chapter_hash, b.id, b.batch_id FROM image_batch_requests r JOIN image_batches b ON b.id = r.batch
            WHERE b.episode_id = $e AND b.collected_at IS NULL AND r.state IN ($pending, $settled) ORDER BY b.id
            """, r => (r.GetString(0), r.GetString(1), r.GetInt64(2), r.NullableString(3)), null,
            ("$e", episodeId), ("$pending", ImageBatchRequestStates.Pending), ("$settled", ImageBatchRequestStates.Settled));
    }

    private static decimal Usd(SqliteDataReader r, int i) => Convert.ToDecimal(r.GetDouble(i), CultureInfo.InvariantCulture);

    private static ImageBatchRow Read(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0), EpisodeId = r.GetString(1), RunId = r.GetInt64(2), Key = r.GetString(3), Model = r.GetString(4), Size = r.GetString(5),
        Quality = r.GetString(6), InputSha256 = r.GetString(7), Input = r.GetString(8), FileName = r.GetString(9), FileId = r.NullableString(10),
        BatchId = r.NullableString(11), Status = r.GetString(12), Requests = r.GetInt32(13), Completed = r.GetInt32(14), Failed = r.GetInt32(15),
        ReservedUsd = Usd(r, 16), SubmittedAt = Timestamps.Parse(r.GetString(17)), ExpiresAt = r.IsDBNull(18) ? null : Timestamps.Parse(r.GetString(18)),
        OutputFileId = r.NullableString(19), ErrorFileId = r.NullableString(20), CollectedAt = r.IsDBNull(21) ? null : Timestamps.Parse(r.GetString(21)),
        Error = r.NullableString(22),
    };
}

/// <summary>What a submit journals of a new batch.</summary>
internal sealed record NewImageBatch(string EpisodeId, string Key, string Model, string Size, string Quality, string InputSha256, string Input, string FileName);

/// <summary>One chapter's request in a batch: its custom_id, the hash it was made for, the prompt sent and its reservation.</summary>
internal sealed record ImageBatchRequest(string CustomId, string ChapterId, string ChapterHash, string Prompt, decimal ReservedUsd);

internal sealed record ImageBatchRequestRow(long Batch, string CustomId, string ChapterId, string ChapterHash, string Prompt, decimal ReservedUsd, string State, decimal? CostUsd);

/// <summary>A row of image_batches.</summary>
internal sealed record ImageBatchRow
{
    public required long Id { get; init; }
    public required string EpisodeId { get; init; }
    public required long RunId { get; init; }
    public required string Key { get; init; }
    public required string Model { get; init; }
    public required string Size { get; init; }
    public required string Quality { get; init; }
    public required string InputSha256 { get; init; }
    public required string Input { get; init; }
    public required string FileName { get; init; }
    public string? FileId { get; init; }
    public string? BatchId { get; init; }
    public required string Status { get; init; }
    public required int Requests { get; init; }
    public required int Completed { get; init; }
    public required int Failed { get; init; }
    public required decimal ReservedUsd { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? OutputFileId { get; init; }
    public string? ErrorFileId { get; init; }
    public DateTimeOffset? CollectedAt { get; init; }
    public string? Error { get; init; }
}

/// <summary>A batch's local states before OpenAI has one (then its status is OpenAI's).</summary>
internal static class ImageBatchStates
{
    /// <summary>Journaled; the input file may or may not have been uploaded.</summary>
    public const string Intended = "intended";
    /// <summary>The input file is uploaded (its id recorded); the batch may or may not have been created.</summary>
    public const string Uploaded = "uploaded";
}

internal static class ImageBatchRequestStates
{
    public const string Pending = "pending";
    public const string Settled = "settled";
    public const string Failed = "failed";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";
    public const string Released = "released";
}
