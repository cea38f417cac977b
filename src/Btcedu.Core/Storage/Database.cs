using Microsoft.Data.Sqlite;

namespace Btcedu.Core.Storage;

/// <summary>
/// The SQLite file of a workspace. Every connection runs in WAL mode with foreign keys on and waits for a
/// busy writer instead of failing. Pooling is off so a closed session holds no file handle.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;

    public Database(string path, TimeProvider time)
    {
        Path = path;
        Time = time;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
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

    internal SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
