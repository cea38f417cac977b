using Btcedu.Core.Episodes;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Btcedu.Core.Tests.Storage;

public class MigrationsTests
{
    [Fact]
    public void A_database_from_before_media_assets_upgrades_with_every_row_intact()
    {
        using var temp = new TempWorkspace();
        var path = temp.Paths.DatabasePath;
        var mediaAssets = Migrations.All.Single(m => m.Name == "media_assets").Id;
        var old = Database.Open(path, TimeProvider.System, migrateUpTo: mediaAssets - 1);
        using (var c = old.Connect())
        {
            Exec(c, "INSERT INTO episodes (id, title, status, pipeline_version, created_at, updated_at, retry_count) VALUES ('ep1', 'Şifreleme', 'CHAPTERIZED', 2, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 3)");
            Exec(c, "INSERT INTO episodes (id, title, status, created_at, updated_at) VALUES ('old', 'Eski', 'NEW', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
            Exec(c, "INSERT INTO prompt_versions (name, version, content_hash, template_path, is_default, created_at) VALUES ('imagegen', 1, 'sha256:ab', 'prompts/imagegen.md', 1, '2026-01-01T00:00:00.000Z')");
            Exec(c, "INSERT INTO pipeline_runs (episode_id, stage, status, started_at, estimated_cost_usd) VALUES ('ep1', 'imagegen', 'success', '2026-01-01T00:00:00.000Z', 1.25)");
            Assert.Equal(0, Scalar(c, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'media_assets'"));
        }
        var before = Dump(old);

        var upgraded = Database.Open(path, TimeProvider.System);

        var after = Dump(upgraded);
        foreach (var (table, rows) in before)
        {
            Assert.Equal(rows, after[table]);
        }
        using var conn = upgraded.Connect();
        Assert.Equal(Migrations.All.Count, Scalar(conn, "SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(1, Scalar(conn, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_media_assets_episode_type_chapter'"));
        var episode = new EpisodeStore(upgraded).Get("ep1");
        Assert.Equal(EpisodeStatus.CHAPTERIZED, episode.Status);
        Assert.Equal(3, episode.RetryCount);
        Assert.Equal(1, new EpisodeStore(upgraded).Get("old").PipelineVersion);
    }

    [Fact]
    public void Running_migrations_again_applies_nothing()
    {
        using var temp = new TempWorkspace();
        var db = Database.Open(temp.Paths.DatabasePath, TimeProvider.System);
        using var c = db.Connect();
        Assert.Empty(MigrationRunner.Apply(c, Migrations.All, TimeProvider.System));
        Assert.Equal("wal", ScalarText(c, "PRAGMA journal_mode"));
    }

    [Fact]
    public void Migrations_are_append_only_with_sequential_ids_and_no_destructive_sql()
    {
        Assert.Equal(Enumerable.Range(1, Migrations.All.Count), Migrations.All.Select(m => m.Id));
        Assert.Equal(Migrations.All.Count, Migrations.All.Select(m => m.Name).Distinct().Count());
        foreach (var m in Migrations.All)
        {
            Assert.DoesNotContain("DROP ", m.Sql, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("RENAME", m.Sql, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_failing_migration_rolls_back_and_is_not_recorded()
    {
        using var temp = new TempWorkspace();
        var db = Database.Open(temp.Paths.DatabasePath, TimeProvider.System);
        using var c = db.Connect();
        var broken = Migrations.All.Append(new Migration(99, "broken", "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);")).ToList();
        Assert.Throws<SqliteException>(() => MigrationRunner.Apply(c, broken, TimeProvider.System));
        Assert.Equal(0, Scalar(c, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'"));
        Assert.Equal(0, Scalar(c, "SELECT COUNT(*) FROM schema_migrations WHERE id = 99"));
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string ScalarText(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (string)cmd.ExecuteScalar()!;
    }

    private static Dictionary<string, List<string>> Dump(Database db)
    {
        using var c = db.Connect();
        var result = new Dictionary<string, List<string>>();
        foreach (var table in new[] { "episodes", "prompt_versions", "pipeline_runs" })
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SELECT * FROM {table} ORDER BY rowid";
            using var r = cmd.ExecuteReader();
            var rows = new List<string>();
            while (r.Read())
            {
                // Compare the columns the older schema had; later migrations may only add columns.
                rows.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Where(i => r.GetName(i) != "chapter_count").Select(i => $"{r.GetName(i)}={r.GetValue(i)}")));
            }
            result[table] = rows;
        }
        return result;
    }
}
