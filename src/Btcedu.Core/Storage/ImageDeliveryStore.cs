using System.Globalization;
using Btcedu.Core.Workspace;
using Microsoft.Data.Sqlite;

namespace Btcedu.Core.Storage;

/// <summary>
/// The <c>image_deliveries</c> table (the delivery journal). Each change that moves money commits in one
/// transaction with the run's totals on <c>pipeline_runs</c>, so the journal and the spending never disagree.
/// </summary>
internal sealed class ImageDeliveryStore
{
    private const string Columns = "id, run_id, episode_id, chapter_id, chapter_hash, reserved_usd, requested_at, png_sha256, cost_usd, delivered_at, entry, asset, answer_sha256, answer";
    private readonly Database _db;

    public ImageDeliveryStore(Database db) => _db = db;

    /// <summary>Records a call about to be made, with its reserved price already in <paramref name="totals"/>.</summary>
    public long Intend(string episodeId, string chapterId, string chapterHash, decimal reservedUsd, RunTotals totals)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        connection.Execute("""
            INSERT INTO image_deliveries (run_id, episode_id, chapter_id, chapter_hash, reserved_usd, requested_at)
            VALUES ($run, $e, $c, $hash, $reserved, $now)
            """, tx, ("$run", totals.RunId), ("$e", episodeId), ("$c", chapterId), ("$hash", chapterHash),
            ("$reserved", (double)reservedUsd), ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
        var id = connection.ScalarLong("SELECT last_insert_rowid()", tx);
        PipelineRunStore.UpdateTotals(connection, tx, totals);
        tx.Commit();
        return id;
    }

    /// <summary>Records the call's answer (the saved image's SHA-256 and what came with it), with its actual price now in <paramref name="totals"/>.</summary>
    /// <param name="alsoInTransaction">More to commit with it (a batch result's settlement).</param>
    public void Answer(long id, string answerSha256, decimal costUsd, string answer, RunTotals totals, Action<SqliteConnection, SqliteTransaction>? alsoInTransaction = null)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        connection.Execute("UPDATE image_deliveries SET answer_sha256 = $sha, cost_usd = $cost, answer = $answer WHERE id = $id",
            tx, ("$id", id), ("$sha", answerSha256), ("$cost", (double)costUsd), ("$answer", answer));
        alsoInTransaction?.Invoke(connection, tx);
        PipelineRunStore.UpdateTotals(connection, tx, totals);
        tx.Commit();
    }

    /// <summary>Records the PNG made from the answer, with the run's totals as of now.</summary>
    public void Deliver(long id, string pngSha256, decimal costUsd, string entry, string asset, RunTotals totals)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        connection.Execute("""
            UPDATE image_deliveries SET png_sha256 = $sha, cost_usd = $cost, delivered_at = $now, entry = $entry, asset = $asset
            WHERE id = $id
            """, tx, ("$id", id), ("$sha", pngSha256), ("$cost", (double)costUsd), ("$now", Timestamps.Format(_db.Time.GetUtcNow())),
            ("$entry", entry), ("$asset", asset));
        PipelineRunStore.UpdateTotals(connection, tx, totals);
        tx.Commit();
    }

    public void Remove(long id) => Remove([id]);

    /// <summary>Drops several entries in one transaction (the run removes a manifest write's worth at once).</summary>
    public void Remove(IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        foreach (var id in ids)
        {
            connection.Execute("DELETE FROM image_deliveries WHERE id = $id", tx, ("$id", id));
        }
        tx.Commit();
    }

    /// <summary>Drops an episode's entries except <paramref name="keep"/>; returns how many went.</summary>
    public int RemoveExcept(string episodeId, IReadOnlyCollection<long> keep)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        var removed = 0;
        foreach (var d in connection.Query($"SELECT {Columns} FROM image_deliveries WHERE episode_id = $e", Read, tx, ("$e", episodeId)))
        {
            if (!keep.Contains(d.Id))
            {
                removed += connection.Execute("DELETE FROM image_deliveries WHERE id = $id", tx, ("$id", d.Id));
            }
        }
        tx.Commit();
        return removed;
    }

    public IReadOnlyList<ImageDelivery> List(string episodeId)
    {
        using var connection = _db.Connect();
        return connection.Query($"SELECT {Columns} FROM image_deliveries WHERE episode_id = $e ORDER BY id", Read, null, ("$e", episodeId));
    }

    private static ImageDelivery Read(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0),
        RunId = r.GetInt64(1),
        EpisodeId = r.GetString(2),
        ChapterId = r.GetString(3),
        ChapterHash = r.GetString(4),
        ReservedUsd = Convert.ToDecimal(r.GetDouble(5), CultureInfo.InvariantCulture),
        RequestedAt = Timestamps.Parse(r.GetString(6)),
        PngSha256 = r.NullableString(7),
        CostUsd = r.IsDBNull(8) ? null : Convert.ToDecimal(r.GetDouble(8), CultureInfo.InvariantCulture),
        DeliveredAt = r.IsDBNull(9) ? null : Timestamps.Parse(r.GetString(9)),
        Entry = r.NullableString(10),
        Asset = r.NullableString(11),
        AnswerSha256 = r.NullableString(12),
        Answer = r.NullableString(13),
    };
}
