using Btcedu.Core.Episodes;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Chapters;

public enum ChapterImportKind { Created, Changed, Unchanged }

/// <summary>What an import would do, decided before anything is written (so -WhatIf can show it).</summary>
public sealed record ChapterImportPlan(string EpisodeId, ChapterDocumentFile File, Episode? Existing, ChapterImportKind Kind);

public sealed record ChapterImportResult(Episode Episode, ChapterImportKind Kind, IReadOnlyList<string> StaleMarkers);

/// <summary>
/// Registers an episode's chapter document: validates it, stores the exact bytes as
/// <c>data/outputs/{id}/chapters.json</c>, sets the episode CHAPTERIZED and, when the content changed,
/// marks the image stage and everything after it stale.
/// </summary>
public sealed class ChapterImporter
{
    private readonly WorkspacePaths _paths;
    private readonly Database _db;
    private readonly EpisodeStore _episodes;
    private readonly Invalidation _invalidation;

    public ChapterImporter(WorkspacePaths paths, Database db, EpisodeStore episodes, Invalidation invalidation)
    {
        _paths = paths;
        _db = db;
        _episodes = episodes;
        _invalidation = invalidation;
    }

    public ChapterImportPlan Plan(string file, string? episodeId)
    {
        var read = ChapterDocumentReader.ReadFile(file);
        var id = episodeId ?? read.Document.EpisodeId;
        Identifier.Require(id, "episode id");
        if (!string.Equals(id, read.Document.EpisodeId, StringComparison.Ordinal))
        {
            throw new BtceduException("EpisodeIdMismatch", BtceduErrorKind.InvalidData,
                $"{file} is the chapter document of episode '{read.Document.EpisodeId}', not '{id}'. Import it as -EpisodeId {read.Document.EpisodeId}, or fix its episode_id.", file);
        }
        var existing = _episodes.Find(id);
        if (existing is null && _episodes.FindOtherCase(id) is { } otherCase)
        {
            throw EpisodeStore.CaseConflict(id, otherCase);
        }
        if (existing is { PipelineVersion: not 2 })
        {
            throw new BtceduException("LegacyEpisode", BtceduErrorKind.InvalidOperation,
                $"Episode '{id}' is a v{existing.PipelineVersion} (legacy) episode; chapter documents belong to v2 episodes. Import under another episode id.", id);
        }
        var stored = _paths.ChaptersFile(id);
        var kind = !System.IO.File.Exists(stored) ? ChapterImportKind.Created
            : System.IO.File.ReadAllBytes(stored).AsSpan().SequenceEqual(read.Content) ? ChapterImportKind.Unchanged
            : ChapterImportKind.Changed;
        if (kind == ChapterImportKind.Created && existing is not null)
        {
            kind = ChapterImportKind.Changed;
        }
        return new ChapterImportPlan(id, read, existing, kind);
    }

    public ChapterImportResult Apply(ChapterImportPlan plan)
    {
        var id = plan.EpisodeId;
        var stored = _paths.ChaptersFile(id);
        if (plan.Kind == ChapterImportKind.Unchanged && plan.Existing is not null)
        {
            StaleMarker.Clear(stored);
            return new ChapterImportResult(plan.Existing, plan.Kind, []);
        }

        var previous = System.IO.File.Exists(stored) ? System.IO.File.ReadAllBytes(stored) : null;
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        var episode = _episodes.UpsertChapterized(connection, tx, id, plan.File.Document.Title, plan.File.Document.Chapters.Count);

        IReadOnlyList<string> markers = plan.Kind == ChapterImportKind.Changed
            ? _invalidation.InvalidateDownstream(id, Stage.chapterize, $"chapters.json re-imported from {Path.GetFileName(plan.File.Path)} with different content ({plan.File.ContentHash})")
            : [];
        AtomicFile.WriteAllBytes(stored, plan.File.Content);
        try
        {
            tx.Commit();
        }
        catch
        {
            // Put the previous document back so files and database agree again.
            if (previous is null) { System.IO.File.Delete(stored); } else { AtomicFile.WriteAllBytes(stored, previous); }
            throw;
        }
        StaleMarker.Clear(stored);
        return new ChapterImportResult(episode, plan.Kind, markers);
    }
}
