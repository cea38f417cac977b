using System.Text.Json;
using Btcedu.Core.Models;
using Btcedu.Core.Workspace;
using Microsoft.Data.Sqlite;

namespace Btcedu.Core.Storage;

/// <summary>The <c>media_assets</c> table.</summary>
public sealed class MediaAssetStore
{
    private readonly Database _db;
    private readonly WorkspacePaths _paths;

    public MediaAssetStore(Database db, WorkspacePaths paths)
    {
        _db = db;
        _paths = paths;
    }

    /// <summary>Records a chapter's asset, replacing its previous row of the same type in the same transaction.</summary>
    public void Replace(NewMediaAsset asset)
    {
        using var connection = _db.Connect();
        using var tx = connection.BeginTransaction(deferred: false);
        connection.Execute("DELETE FROM media_assets WHERE episode_id = $e AND asset_type = $t AND chapter_id IS $c", tx,
            ("$e", asset.EpisodeId), ("$t", asset.AssetType), ("$c", asset.ChapterId));
        connection.Execute("""
            INSERT INTO media_assets (episode_id, asset_type, chapter_id, file_path, mime_type, size_bytes, metadata, prompt_version_id, created_at)
            VALUES ($e, $t, $c, $path, $mime, $size, $meta, $pv, $now)
            """, tx, ("$e", asset.EpisodeId), ("$t", asset.AssetType), ("$c", asset.ChapterId), ("$path", asset.FilePath),
            ("$mime", asset.MimeType), ("$size", asset.SizeBytes), ("$meta", JsonSerializer.Serialize(asset.Metadata, BtceduJson.Compact)),
            ("$pv", asset.PromptVersionId), ("$now", Timestamps.Format(_db.Time.GetUtcNow())));
        tx.Commit();
    }

    /// <summary>
    /// What this workspace paid for its last <see cref="LearnedTokens.Window"/> settled images of a model, requested
    /// size and quality: the most output tokens among them, or null when it has none. Only images whose usage was
    /// reported count (not estimated costs, not restored copies).
    /// </summary>
    public LearnedTokens? LearnedOutputTokens(string model, string requestedSize, string quality)
    {
        using var connection = _db.Connect();
        var rows = connection.Query("""
            SELECT MAX(tokens), COUNT(*) FROM (
                SELECT json_extract(metadata, '$.output_tokens') AS tokens FROM media_assets
                WHERE asset_type = 'image'
                  AND json_extract(metadata, '$.model') = $m
                  AND json_extract(metadata, '$.requested_size') = $s
                  AND json_extract(metadata, '$.quality') = $q
                  AND json_extract(metadata, '$.output_tokens') > 0
                  AND coalesce(json_extract(metadata, '$.cost_estimated'), 0) = 0
                  AND json_extract(metadata, '$.restored_from_version') IS NULL
                ORDER BY id DESC LIMIT $n)
            """, r => r.IsDBNull(0) ? null : new LearnedTokens((int)Math.Min(int.MaxValue, r.GetInt64(0)), r.GetInt32(1)),
            null, ("$m", model), ("$s", requestedSize), ("$q", quality), ("$n", LearnedTokens.Window));
        return rows.SingleOrDefault();
    }

    public IReadOnlyList<MediaAsset> List(string? episodeId = null, string? assetType = null)
    {
        using var connection = _db.Connect();
        return connection.Query("""
            SELECT a.id, a.episode_id, a.chapter_id, a.asset_type, a.file_path, a.mime_type, a.size_bytes, a.duration_seconds,
                   a.metadata, a.prompt_version_id, p.version, a.created_at, p.name
            FROM media_assets a LEFT JOIN prompt_versions p ON p.id = a.prompt_version_id
            WHERE ($e IS NULL OR a.episode_id = $e) AND ($t IS NULL OR a.asset_type = $t)
            ORDER BY a.episode_id, a.asset_type, a.chapter_id, a.id
            """, Read, null, ("$e", episodeId), ("$t", assetType));
    }

    private MediaAsset Read(SqliteDataReader r)
    {
        var episodeId = r.GetString(1);
        var filePath = r.GetString(4);
        var metadata = r.GetString(8);
        return new MediaAsset
        {
            Id = r.GetInt64(0),
            EpisodeId = episodeId,
            ChapterId = r.NullableString(2),
            AssetType = r.GetString(3),
            FilePath = filePath,
            Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(_paths.EpisodeDir(episodeId), filePath)),
            MimeType = r.GetString(5),
            SizeBytes = r.GetInt64(6),
            DurationSeconds = r.IsDBNull(7) ? null : r.GetDouble(7),
            Metadata = metadata,
            Record = ImageRecord.Parse(metadata),
            PromptVersionId = r.IsDBNull(9) ? null : r.GetInt64(9),
            PromptVersion = r.IsDBNull(10) ? null : r.GetInt32(10),
            PromptName = r.NullableString(12),
            CreatedAt = Timestamps.Parse(r.GetString(11)),
        };
    }
}
