using Btcedu.Core.Chapters;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The one writer of <c>images/manifest.json</c>, for the run (<see cref="ManifestRecorder"/>) and the restore
/// (<see cref="ImageRestorer"/>) alike: one entry per chapter, in chapter order, each completed from the chapter
/// document and the file on disk, so that what the render stage reads is always whole (docs/schemas/image-manifest.schema.json):
/// <c>file_path</c> always names where the chapter's image belongs, <c>size_bytes</c> and <c>generation_method</c>
/// say whether a file is there and how it was made.
/// </summary>
internal static class ManifestWriter
{
    /// <summary>The entries, completed and in chapter order, as the file holds them.</summary>
    public static IReadOnlyList<ManifestEntry> Compose(WorkspacePaths paths, string episodeId, IEnumerable<(Chapter Chapter, ManifestEntry Entry)> entries) =>
        [.. entries.OrderBy(e => e.Chapter.Order).Select(e => Complete(paths, episodeId, e.Chapter, e.Entry))];

    public static async Task WriteAsync(WorkspacePaths paths, string episodeId, IReadOnlyList<ManifestEntry> composed, DateTimeOffset now)
    {
        var (file, bytes) = (paths.ManifestFile(episodeId), Serialize(episodeId, composed, now));
        await AtomicFile.WriteAllBytesAsync(file, bytes).ConfigureAwait(false);
        InternalHooks.ManifestWritten?.Invoke(file, bytes);
    }

    public static void Write(WorkspacePaths paths, string episodeId, IReadOnlyList<ManifestEntry> composed, DateTimeOffset now)
    {
        var (file, bytes) = (paths.ManifestFile(episodeId), Serialize(episodeId, composed, now));
        AtomicFile.WriteAllBytes(file, bytes);
        InternalHooks.ManifestWritten?.Invoke(file, bytes);
    }

    private static byte[] Serialize(string episodeId, IReadOnlyList<ManifestEntry> composed, DateTimeOffset now) =>
        BtceduJson.Serialize(new ImageManifest(episodeId, ImageManifest.CurrentSchemaVersion, Timestamps.Format(now), composed));

    /// <summary>
    /// The entry as the manifest states it: the chapter's current title and type, its image path, and what is on disk.
    /// An entry from a manifest written before these fields existed gets them here.
    /// </summary>
    public static ManifestEntry Complete(WorkspacePaths paths, string episodeId, Chapter chapter, ManifestEntry entry)
    {
        var file = new FileInfo(paths.ImageFile(episodeId, chapter.ChapterId));
        var method = entry.GenerationMethod ?? (string.IsNullOrEmpty(entry.FilePath) ? GenerationMethod.None : GenerationMethod.Api);
        if (!file.Exists)
        {
            // No file: a failed chapter says failed, any other says none.
            method = entry.Status == ImageStatus.Failed || method == GenerationMethod.Failed ? GenerationMethod.Failed : GenerationMethod.None;
        }
        if (!file.Exists && entry.Status is ImageStatus.Generated or ImageStatus.Unchanged)
        {
            // The status says whether the file is there: an image deleted since it was recorded is not claimed.
            entry = entry with { Status = ImageStatus.Skipped, Reason = "its image file is missing; the next run generates it" };
        }
        return entry with
        {
            ChapterId = chapter.ChapterId,
            ChapterTitle = chapter.Title,
            VisualType = chapter.VisualType.ToString(),
            GenerationMethod = method,
            FilePath = ManifestEntries.FilePathOf(chapter.ChapterId),
            MimeType = ManifestEntries.MimeType,
            // Only a file this stage made counts: with brand cards off, a card left from before is not described.
            SizeBytes = file.Exists && method is GenerationMethod.Api or GenerationMethod.Template ? file.Length : null,
        };
    }
}
