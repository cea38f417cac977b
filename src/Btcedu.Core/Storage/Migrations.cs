namespace Btcedu.Core.Storage;

/// <summary>
/// The schema's history, oldest first. Append only: never edit, reorder, drop or rename; each runs once,
/// in its own transaction, and is recorded in <c>schema_migrations</c>.
/// </summary>
public static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "episodes", """
            CREATE TABLE episodes (
                id               TEXT PRIMARY KEY NOT NULL,
                title            TEXT NOT NULL,
                status           TEXT NOT NULL DEFAULT 'NEW',
                pipeline_version INTEGER NOT NULL DEFAULT 1,
                created_at       TEXT NOT NULL,
                updated_at       TEXT NOT NULL,
                error_message    TEXT NULL,
                retry_count      INTEGER NOT NULL DEFAULT 0
            );
            """),
        new(2, "prompt_versions", """
            CREATE TABLE prompt_versions (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                name          TEXT NOT NULL,
                version       INTEGER NOT NULL,
                content_hash  TEXT NOT NULL,
                template_path TEXT NOT NULL,
                model         TEXT NULL,
                temperature   REAL NULL,
                max_tokens    INTEGER NULL,
                is_default    INTEGER NOT NULL DEFAULT 0,
                created_at    TEXT NOT NULL,
                notes         TEXT NULL,
                UNIQUE (name, version),
                UNIQUE (name, content_hash)
            );
            """),
        new(3, "pipeline_runs", """
            CREATE TABLE pipeline_runs (
                id                 INTEGER PRIMARY KEY AUTOINCREMENT,
                episode_id         TEXT NOT NULL REFERENCES episodes(id),
                stage              TEXT NOT NULL,
                status             TEXT NOT NULL,
                started_at         TEXT NOT NULL,
                completed_at       TEXT NULL,
                input_tokens       INTEGER NOT NULL DEFAULT 0,
                output_tokens      INTEGER NOT NULL DEFAULT 0,
                estimated_cost_usd REAL NOT NULL DEFAULT 0,
                error_message      TEXT NULL
            );
            CREATE INDEX ix_pipeline_runs_episode ON pipeline_runs (episode_id, stage);
            """),
        new(4, "media_assets", """
            CREATE TABLE media_assets (
                id                INTEGER PRIMARY KEY AUTOINCREMENT,
                episode_id        TEXT NOT NULL REFERENCES episodes(id),
                asset_type        TEXT NOT NULL,
                chapter_id        TEXT NULL,
                file_path         TEXT NOT NULL,
                mime_type         TEXT NOT NULL,
                size_bytes        INTEGER NOT NULL,
                duration_seconds  REAL NULL,
                metadata          TEXT NOT NULL DEFAULT '{}',
                prompt_version_id INTEGER NULL REFERENCES prompt_versions(id),
                created_at        TEXT NOT NULL
            );
            CREATE INDEX ix_media_assets_episode_type_chapter ON media_assets (episode_id, asset_type, chapter_id);
            """),
        new(5, "episodes_chapter_count", """
            ALTER TABLE episodes ADD COLUMN chapter_count INTEGER NOT NULL DEFAULT 0;
            """),
        // The delivery journal (DeliveryJournal): a paid image call's intent, then what it delivered, until the
        // manifest records it; entry and asset hold the manifest entry and media_assets row the run was writing.
        new(6, "image_deliveries", """
            CREATE TABLE image_deliveries (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id       INTEGER NOT NULL REFERENCES pipeline_runs(id),
                episode_id   TEXT NOT NULL REFERENCES episodes(id),
                chapter_id   TEXT NOT NULL,
                chapter_hash TEXT NOT NULL,
                reserved_usd REAL NOT NULL,
                requested_at TEXT NOT NULL,
                png_sha256   TEXT NULL,
                cost_usd     REAL NULL,
                delivered_at TEXT NULL,
                entry        TEXT NULL,
                asset        TEXT NULL
            );
            CREATE INDEX ix_image_deliveries_episode_chapter ON image_deliveries (episode_id, chapter_id);
            """),
        // Status changes made by invalidation (Set-BtceduStale): an episode going back to an earlier stage's status.
        new(7, "episode_status_changes", """
            CREATE TABLE episode_status_changes (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                episode_id  TEXT NOT NULL REFERENCES episodes(id),
                from_status TEXT NOT NULL,
                to_status   TEXT NOT NULL,
                reason      TEXT NOT NULL,
                changed_at  TEXT NOT NULL
            );
            CREATE INDEX ix_episode_status_changes_episode ON episode_status_changes (episode_id);
            """),
        // The answered state of the delivery journal: the API's image, saved as delivered before the run's local
        // stage decodes it, so a kill while it waits for that stage leaves an image the next run adopts.
        new(8, "image_deliveries_answer", """
            ALTER TABLE image_deliveries ADD COLUMN answer_sha256 TEXT NULL;
            ALTER TABLE image_deliveries ADD COLUMN answer TEXT NULL;
            """),
        // Batch mode (issue 23): a batch's intent (its chapters, their hashes and the input file's SHA-256) is written
        // before the upload, its file and batch ids as soon as they are known; each request holds its reservation
        // until a result settles or releases it. key is the batch's metadata value, by which a killed submit finds it.
        new(9, "image_batches", """
            CREATE TABLE image_batches (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                episode_id     TEXT NOT NULL REFERENCES episodes(id),
                run_id         INTEGER NOT NULL REFERENCES pipeline_runs(id),
                key            TEXT NOT NULL UNIQUE,
                model          TEXT NOT NULL,
                size           TEXT NOT NULL,
                quality        TEXT NOT NULL,
                input_sha256   TEXT NOT NULL,
                input          TEXT NOT NULL,
                file_name      TEXT NOT NULL,
                file_id        TEXT NULL,
                batch_id       TEXT NULL,
                status         TEXT NOT NULL,
                requests       INTEGER NOT NULL,
                completed      INTEGER NOT NULL DEFAULT 0,
                failed         INTEGER NOT NULL DEFAULT 0,
                reserved_usd   REAL NOT NULL,
                submitted_at   TEXT NOT NULL,
                expires_at     TEXT NULL,
                output_file_id TEXT NULL,
                error_file_id  TEXT NULL,
                collected_at   TEXT NULL,
                error          TEXT NULL
            );
            CREATE INDEX ix_image_batches_episode ON image_batches (episode_id);
            CREATE TABLE image_batch_requests (
                batch        INTEGER NOT NULL REFERENCES image_batches(id),
                custom_id    TEXT NOT NULL,
                episode_id   TEXT NOT NULL,
                chapter_id   TEXT NOT NULL,
                chapter_hash TEXT NOT NULL,
                prompt       TEXT NOT NULL,
                reserved_usd REAL NOT NULL,
                state        TEXT NOT NULL,
                cost_usd     REAL NULL,
                PRIMARY KEY (batch, custom_id)
            );
            CREATE INDEX ix_image_batch_requests_chapter ON image_batch_requests (episode_id, chapter_id);
            """),
    ];
}
