using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.Settings;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;
using Microsoft.Data.Sqlite;

namespace Btcedu.Core.Composition;

/// <summary>
/// What argument completion asks of a workspace, answered without changing it: the database is opened read-only
/// (never created, never migrated, never locked against a run), chapter documents are only read, and a workspace
/// that cannot answer (no database, a bad btcedu.yaml, a busy or damaged file) answers with nothing rather than an
/// error, since a completer has no way to show one.
/// </summary>
public sealed class WorkspaceLookup
{
    private readonly WorkspacePaths _paths;
    private readonly IReadOnlyDictionary<string, string?> _environment;

    public WorkspaceLookup(string root, IReadOnlyDictionary<string, string?> environment)
    {
        _paths = new WorkspacePaths(Path.GetFullPath(root));
        _environment = environment;
    }

    /// <summary>The v2 stage names, in pipeline order.</summary>
    public static IReadOnlyList<string> StageNames { get; } = Enum.GetNames<Stage>();

    /// <summary>Every episode of the store, by id; none when the workspace has no database yet.</summary>
    public IReadOnlyList<Episode> Episodes()
    {
        if (Database.OpenReadOnly(_paths.DatabasePath, TimeProvider.System) is not { } database)
        {
            return [];
        }
        try
        {
            return new EpisodeStore(database).List();
        }
        catch (SqliteException)
        {
            return []; // busy beyond the short timeout, not yet migrated, or not a database
        }
    }

    /// <summary>The chapters of an episode's stored chapter document, in order; none when it has none or it cannot be read.</summary>
    public IReadOnlyList<Chapter> Chapters(string? episodeId)
    {
        if (!Identifier.IsValid(episodeId) || !File.Exists(_paths.ChaptersFile(episodeId!)))
        {
            return [];
        }
        try
        {
            return ChapterDocumentReader.ReadFile(_paths.ChaptersFile(episodeId!)).Document.Chapters;
        }
        catch (Exception e) when (e is BtceduException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The image models of the workspace's catalogue (shipped plus btcedu.yaml's image_models).</summary>
    public IReadOnlyList<Models.ImageModel> ImageModels()
    {
        try
        {
            return SettingsLoader.Load(_paths, _environment).Models.ImageModels;
        }
        catch (Exception e) when (e is BtceduException or IOException or UnauthorizedAccessException)
        {
            return Models.ModelCatalog.Shipped.ImageModels; // a btcedu.yaml the run would refuse still has the shipped models
        }
    }
}
