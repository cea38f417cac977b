using Btcedu.Core.Episodes;
using Microsoft.Data.Sqlite;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Storage;

/// <summary>The <c>episodes</c> table.</summary>
public sealed class EpisodeStore
{
    private const string Columns = "id, title, status, pipeline_version, chapter_count, created_at, updated_at, error_message, retry_count";
    private readonly Database _db;

    public EpisodeStore(Database db) => _db = db;

    public Episode? Find(string id)
    {
        using var connection = _db.Connect();
        return Find(connection, null, id);
    }

    /// <summary>The episode by its exact id, or an InvalidEpisodeId or ObjectNotFound error that says what to do.</summary>
    public Episode Get(string id)
    {
        Workspace.Identifier.Require(id, "episode id");
        return Find(id) ?? throw NotFound(id, FindOtherCase(id));
    }

    /// <summary>The one "no such episode" error, for every command that looks an episode up.</summary>
    public static BtceduException NotFound(string id, string? otherCase = null) =>
        new("EpisodeNotFound", BtceduErrorKind.ObjectNotFound, otherCase is not null
            ? $"Episode '{id}' does not exist; ids are case-sensitive, and there is an episode '{otherCase}'."
            : $"Episode '{id}' does not exist. Import its chapters with Import-BtceduChapter -EpisodeId {id} -Path <chapters.json>, or list episodes with Get-BtceduEpisode.", id);

    /// <summary>An existing episode whose id differs from <paramref name="id"/> only in case, if any.</summary>
    public string? FindOtherCase(string id)
    {
        using var connection = _db.Connect();
        return FindOtherCase(connection, null, id);
    }

    /// <summary>
    /// Ids that differ only in case name the same folder on Windows and macOS, so a new episode may not be one.
    /// </summary>
    public static BtceduException CaseConflict(string id, string existing) =>
        new("EpisodeIdCaseConflict", BtceduErrorKind.InvalidArgument,
            $"Episode id '{id}' differs only in case from the existing episode '{existing}'; both would use one folder on Windows and macOS. Use '{existing}' or an id that differs in more than case.", id);

    private static string? FindOtherCase(SqliteConnection connection, SqliteTransaction? tx, string id) =>
        connection.Query("SELECT id FROM episodes WHERE id = $id COLLATE NOCASE AND id <> $id ORDER BY id LIMIT 1", r => r.GetString(0), tx, ("$id", id)).FirstOrDefault();

    public IReadOnlyList<Episode> List()
    {
        using var connection = _db.Connect();
        return connection.Query($"SELECT {Columns} FROM episodes ORDER BY id", Read);
    }

    public Episode Create(string id, string title, int pipelineVersion, EpisodeStatus status = EpisodeStatus.NEW)
    {
        if (pipelineVersion is not (1 or 2))
        {
            throw new BtceduException("InvalidPipelineVersion", BtceduErrorKind.InvalidArgument, $"Pipeline version must be 1 or 2, not {pipelineVersion}.", pipelineVersion);
        }
        Workspace.Identifier.Require(id, "episode id");
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        if (Find(connection, tx, id) is not null)
        {
            throw new BtceduException("EpisodeExists", BtceduErrorKind.ResourceUnavailable,
                $"Episode '{id}' already exists.", id);
        }
        if (FindOtherCase(connection, tx, id) is { } existing)
        {
            throw CaseConflict(id, existing);
        }
        var now = Timestamps.Format(_db.Time.GetUtcNow());
        connection.Execute("INSERT INTO episodes (id, title, status, pipeline_version, created_at, updated_at) VALUES ($id, $title, $status, $v, $now, $now)", tx,
            ("$id", id), ("$title", title), ("$status", status.ToString()), ("$v", pipelineVersion), ("$now", now));
        var created = Find(connection, tx, id)!;
        tx.Commit();
        return created;
    }

    public Episode SetStatus(string id, EpisodeStatus status, string? errorMessage = null)
    {
        using var connection = _db.Connect();
        return SetStatus(connection, null, id, status, errorMessage);
    }

    internal Episode SetStatus(SqliteConnection connection, SqliteTransaction? tx, string id, EpisodeStatus status, string? errorMessage)
    {
        connection.Execute("UPDATE episodes SET status = $status, error_message = $error, updated_at = $now WHERE id = $id", tx,
            ("$id", id), ("$status", status.ToString()), ("$error", errorMessage), ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
        return Find(connection, tx, id) ?? throw new InvalidOperationException($"episode {id} vanished");
    }

    /// <summary>Sets the status and records the change with its reason (episode_status_changes), in one transaction.</summary>
    public Episode ChangeStatus(string id, EpisodeStatus status, string reason)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        var before = Find(connection, tx, id) ?? throw NotFound(id);
        var after = SetStatus(connection, tx, id, status, null);
        connection.Execute("INSERT INTO episode_status_changes (episode_id, from_status, to_status, reason, changed_at) VALUES ($id, $from, $to, $reason, $now)", tx,
            ("$id", id), ("$from", before.Status.ToString()), ("$to", status.ToString()), ("$reason", reason), ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
        tx.Commit();
        return after;
    }

    /// <summary>Creates or updates a v2 episode from an imported chapter document, inside the caller's transaction.</summary>
    internal Episode UpsertChapterized(SqliteConnection connection, SqliteTransaction tx, string id, string title, int chapterCount)
    {
        var now = Timestamps.Format(_db.Time.GetUtcNow());
        connection.Execute("""
            INSERT INTO episodes (id, title, status, pipeline_version, chapter_count, created_at, updated_at)
            VALUES ($id, $title, $status, 2, $count, $now, $now)
            ON CONFLICT (id) DO UPDATE SET title = excluded.title, status = excluded.status, chapter_count = excluded.chapter_count,
                                           error_message = NULL, updated_at = excluded.updated_at
            """, tx, ("$id", id), ("$title", title), ("$status", nameof(EpisodeStatus.CHAPTERIZED)), ("$count", chapterCount), ("$now", now));
        return Find(connection, tx, id)!;
    }

    internal static Episode? Find(SqliteConnection connection, SqliteTransaction? tx, string id)
    {
        return connection.Query($"SELECT {Columns} FROM episodes WHERE id = $id", Read, tx, ("$id", id)).SingleOrDefault();
    }

    private static Episode Read(SqliteDataReader r) => new(
        Id: r.GetString(0),
        Title: r.GetString(1),
        Status: Enum.Parse<EpisodeStatus>(r.GetString(2), ignoreCase: false),
        PipelineVersion: r.GetInt32(3),
        ChapterCount: r.GetInt32(4),
        CreatedAt: Timestamps.Parse(r.GetString(5)),
        UpdatedAt: Timestamps.Parse(r.GetString(6)),
        ErrorMessage: r.NullableString(7),
        RetryCount: r.GetInt32(8));
}
