using System.Globalization;
using Microsoft.Data.Sqlite;
using Btcedu.Core.Episodes;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Storage;

/// <summary>The <c>pipeline_runs</c> table, which also answers "how much has this episode cost so far".</summary>
public sealed class PipelineRunStore
{
    private const string Columns = "id, episode_id, stage, status, started_at, completed_at, input_tokens, output_tokens, estimated_cost_usd, error_message";
    private readonly Database _db;

    public PipelineRunStore(Database db) => _db = db;

    public long Start(string episodeId, Stage stage)
    {
        using var connection = _db.Connect();
        connection.Execute("INSERT INTO pipeline_runs (episode_id, stage, status, started_at) VALUES ($e, $s, $status, $now)", null,
            ("$e", episodeId), ("$s", stage.ToString()), ("$status", PipelineRunStatus.Running), ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
        return connection.ScalarLong("SELECT last_insert_rowid()");
    }

    /// <summary>Records spending as it happens, so a run killed halfway still counts toward the episode's cap.</summary>
    public void UpdateTotals(long runId, long inputTokens, long outputTokens, decimal costUsd)
    {
        using var connection = _db.Connect();
        UpdateTotals(connection, null, new RunTotals(runId, inputTokens, outputTokens, costUsd));
    }

    /// <summary>The same, inside another store's transaction (a journal entry and the spending it adds commit together).</summary>
    internal static void UpdateTotals(SqliteConnection connection, SqliteTransaction? tx, RunTotals totals) =>
        connection.Execute("UPDATE pipeline_runs SET input_tokens = $in, output_tokens = $out, estimated_cost_usd = $cost WHERE id = $id", tx,
            ("$id", totals.RunId), ("$in", totals.InputTokens), ("$out", totals.OutputTokens), ("$cost", (double)totals.CostUsd));

    public void Complete(long runId, string status, long inputTokens, long outputTokens, decimal costUsd, string? error)
    {
        using var connection = _db.Connect();
        connection.Execute("""
            UPDATE pipeline_runs SET status = $status, completed_at = $now, input_tokens = $in, output_tokens = $out,
                                     estimated_cost_usd = $cost, error_message = $error WHERE id = $id
            """, null, ("$id", runId), ("$status", status), ("$now", Timestamps.Format(_db.Time.GetUtcNow())),
            ("$in", inputTokens), ("$out", outputTokens), ("$cost", (double)costUsd), ("$error", error));
    }

    /// <summary>The rows of a stage still marked running, for one episode or all.</summary>
    public IReadOnlyList<PipelineRun> Running(Stage stage, string? episodeId = null)
    {
        using var connection = _db.Connect();
        return connection.Query($"SELECT {Columns} FROM pipeline_runs WHERE stage = $s AND status = $running AND ($e IS NULL OR episode_id = $e) ORDER BY id", Read, null,
            ("$s", stage.ToString()), ("$running", PipelineRunStatus.Running), ("$e", episodeId));
    }

    /// <summary>
    /// Settles a row whose run is gone as interrupted, keeping its tokens and cost so they still count against the
    /// cap. Only a row still running is touched: a run that finished meanwhile keeps its own status.
    /// </summary>
    public bool MarkInterrupted(long runId, string reason)
    {
        using var connection = _db.Connect();
        return connection.Execute("UPDATE pipeline_runs SET status = $status, completed_at = $now, error_message = $error WHERE id = $id AND status = $running", null,
            ("$id", runId), ("$status", PipelineRunStatus.Interrupted), ("$running", PipelineRunStatus.Running),
            ("$now", Timestamps.Format(_db.Time.GetUtcNow())), ("$error", reason)) == 1;
    }

    /// <summary>Everything every stage has spent on the episode, runs in progress included.</summary>
    public decimal TotalCostUsd(string episodeId)
    {
        using var connection = _db.Connect();
        using var command = connection.Command("SELECT COALESCE(SUM(estimated_cost_usd), 0) FROM pipeline_runs WHERE episode_id = $e", null, ("$e", episodeId));
        return Convert.ToDecimal(command.ExecuteScalar(), CultureInfo.InvariantCulture); // 15 significant digits: exact for cents and token prices
    }

    public IReadOnlyList<PipelineRun> List(string episodeId)
    {
        using var connection = _db.Connect();
        return connection.Query($"SELECT {Columns} FROM pipeline_runs WHERE episode_id = $e ORDER BY id", Read, null, ("$e", episodeId));
    }

    private static PipelineRun Read(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), Timestamps.Parse(r.GetString(4)),
        r.IsDBNull(5) ? null : Timestamps.Parse(r.GetString(5)), r.GetInt64(6), r.GetInt64(7),
        Convert.ToDecimal(r.GetDouble(8), CultureInfo.InvariantCulture), r.NullableString(9));
}
