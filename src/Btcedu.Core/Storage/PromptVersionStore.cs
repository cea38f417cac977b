using Microsoft.Data.Sqlite;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Storage;

/// <summary>The <c>prompt_versions</c> table: one row per distinct content of a named template.</summary>
public sealed class PromptVersionStore
{
    private const string Columns = "id, name, version, content_hash, template_path, model, temperature, max_tokens, is_default, created_at, notes";
    private readonly Database _db;

    public PromptVersionStore(Database db) => _db = db;

    /// <summary>
    /// The row for this template's content, created when the hash is new: the version is one more than the
    /// name's highest, and the name's first version becomes its default.
    /// </summary>
    public PromptVersion Register(NewPromptVersion template)
    {
        using var connection = _db.Connect();
        if (Find(connection, null, template.Name, template.ContentHash) is { } existing)
        {
            return existing;
        }
        using var tx = connection.BeginTransaction(deferred: false);
        if (Find(connection, tx, template.Name, template.ContentHash) is { } raced)
        {
            return raced;
        }
        var next = connection.ScalarLong("SELECT COALESCE(MAX(version), 0) + 1 FROM prompt_versions WHERE name = $name", tx, ("$name", template.Name));
        connection.Execute($"""
            INSERT INTO prompt_versions (name, version, content_hash, template_path, model, temperature, max_tokens, is_default, created_at, notes)
            VALUES ($name, $version, $hash, $path, $model, $temperature, $max, $default, $now, $notes)
            """, tx,
            ("$name", template.Name), ("$version", next), ("$hash", template.ContentHash), ("$path", template.TemplatePath),
            ("$model", template.Model), ("$temperature", template.Temperature), ("$max", template.MaxTokens),
            ("$default", next == 1 ? 1 : 0), ("$now", Timestamps.Format(_db.Time.GetUtcNow())), ("$notes", template.Notes));
        var created = Find(connection, tx, template.Name, template.ContentHash)!;
        tx.Commit();
        return created;
    }

    public PromptVersion? Find(string name, string contentHash)
    {
        using var connection = _db.Connect();
        return Find(connection, null, name, contentHash);
    }

    /// <summary>Every version of every template, by name then version.</summary>
    public IReadOnlyList<PromptVersion> List()
    {
        using var connection = _db.Connect();
        return connection.Query($"SELECT {Columns} FROM prompt_versions ORDER BY name, version", Read);
    }

    public IReadOnlyList<PromptVersion> List(string name)
    {
        using var connection = _db.Connect();
        return connection.Query($"SELECT {Columns} FROM prompt_versions WHERE name = $name ORDER BY version", Read, null, ("$name", name));
    }

    private static PromptVersion? Find(SqliteConnection connection, SqliteTransaction? tx, string name, string hash)
    {
        return connection.Query($"SELECT {Columns} FROM prompt_versions WHERE name = $name AND content_hash = $hash", Read, tx, ("$name", name), ("$hash", hash)).SingleOrDefault();
    }

    private static PromptVersion Read(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), r.NullableString(5),
        r.IsDBNull(6) ? null : r.GetDouble(6), r.IsDBNull(7) ? null : r.GetInt32(7), r.GetInt32(8) == 1,
        Timestamps.Parse(r.GetString(9)), r.NullableString(10));
}
