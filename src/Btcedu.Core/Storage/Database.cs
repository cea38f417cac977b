using Microsoft.Data.Sqlite;

namespace Btcedu.Core.Storage;

/// <summary>
/// The SQLite file of a workspace. Every connection runs in WAL mode with foreign keys on and waits for a
/// busy writer instead of failing. Pooling is off so a closed session holds no file handle.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;
    private readonly bool _readOnly;

    public Database(string path, TimeProvider time)
        : this(path, time, readOnly: false)
    {
    }

    private Database(string path, TimeProvider time, bool readOnly)
    {
        Path = path;
        Time = time;
        _readOnly = readOnly;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = readOnly ? 2 : 30,
        }.ToString();
    }

    public string Path { get; }
    public TimeProvider Time { get; }

    /// <summary>Creates the file if needed and applies pending migrations.</summary>
    public static Database Open(string path, TimeProvider time, int? migrateUpTo = null)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var db = new Database(path, time);
        try
        {
            using var connection = db.Connect();
            MigrationRunner.Apply(connection, Migrations.All, time, migrateUpTo);
        }
        catch (SqliteException e)
        {
            throw new BtceduException("DatabaseUnavailable", BtceduErrorKind.ResourceUnavailable,
                $"Cannot open the database {path}: {e.Message}", path, e);
        }
        return db;
    }

    /// <summary>
    /// The database for reading only (argument completion, reports that must not change anything): no file or
    /// folder is created, no migration runs, no pragma writes. Null when the workspace has no database yet.
    /// </summary>
    public static Database? OpenReadOnly(string path, TimeProvider time) =>
        File.Exists(path) ? new Database(path, time, readOnly: true) : null;

    internal SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (_readOnly)
        {
            return connection; // a WAL reader never blocks the writer; journal_mode is the writer's to set
        }
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
