using System.Globalization;
using Microsoft.Data.Sqlite;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Storage;

/// <summary>Applies pending migrations, each once and in its own transaction; safe on every start.</summary>
internal static class MigrationRunner
{
    /// <summary>Applies every migration with an id up to <paramref name="upTo"/> (all when null); returns the ids applied now.</summary>
    public static IReadOnlyList<int> Apply(SqliteConnection connection, IReadOnlyList<Migration> migrations, TimeProvider time, int? upTo = null)
    {
        Execute(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                id         INTEGER PRIMARY KEY NOT NULL,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            """);

        var applied = new List<int>();
        foreach (var migration in migrations.Where(m => upTo is null || m.Id <= upTo).OrderBy(m => m.Id))
        {
            // BEGIN IMMEDIATE takes the write lock first, so two processes starting together never both apply one migration.
            using var tx = connection.BeginTransaction(deferred: false);
            using (var check = connection.CreateCommand())
            {
                check.Transaction = tx;
                check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE id = $id";
                check.Parameters.AddWithValue("$id", migration.Id);
                if (Convert.ToInt64(check.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
                {
                    continue;
                }
            }
            Execute(connection, tx, migration.Sql);
            using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_migrations (id, name, applied_at) VALUES ($id, $name, $at)";
                record.Parameters.AddWithValue("$id", migration.Id);
                record.Parameters.AddWithValue("$name", migration.Name);
                record.Parameters.AddWithValue("$at", Timestamps.Format(time.GetUtcNow()));
                record.ExecuteNonQuery();
            }
            tx.Commit();
            applied.Add(migration.Id);
        }
        return applied;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
