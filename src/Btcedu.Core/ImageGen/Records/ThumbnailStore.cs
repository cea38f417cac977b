using System.Text.Json;
using Btcedu.Core.Imaging;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The gallery's thumbnails, made where the image's pixels are already decoded (the run's local stage, brand cards,
/// adoption, restore) and kept in the workspace, so that an export never decodes or even reads a full PNG again:
/// <list type="bullet">
/// <item><c>images/thumbs/{sha16}.jpg</c>: the 480×270 JPEG of the PNG whose SHA-256 starts with those 16 hex digits
/// (content-addressed, so a history version finds its own);</item>
/// <item><c>images/thumbs/{chapter_id}.json</c>: which PNG the chapter's image is (its SHA-256, length and last write
/// time), written after the PNG is placed. The gallery trusts it only while the PNG's length and write time still
/// match; otherwise it hashes and thumbnails the PNG itself, as it does for images older than these files.</item>
/// </list>
/// A cache: losing it costs a gallery export time, never correctness. Not an output of the stage (render ignores it).
/// </summary>
internal sealed class ThumbnailStore(WorkspacePaths paths)
{
    public string Dir(string episodeId) => Path.Combine(paths.ImagesDir(episodeId), "thumbs");

    /// <summary>The kept thumbnail of the PNG with this hash, or null.</summary>
    public string? ForHash(string episodeId, string pngSha256)
    {
        var file = Path.Combine(Dir(episodeId), Short(pngSha256) + ".jpg");
        return File.Exists(file) ? file : null;
    }

    /// <summary>
    /// Records that the chapter's image (in place now) is the PNG with <paramref name="pngSha256"/>, and keeps its
    /// thumbnail (<paramref name="jpeg"/>, or one made from the PNG when null and none is kept yet).
    /// </summary>
    public void Keep(string episodeId, string chapterId, string pngSha256, byte[]? jpeg)
    {
        var dir = Dir(episodeId);
        Directory.CreateDirectory(dir);
        var image = paths.ImageFile(episodeId, chapterId);
        var thumb = Path.Combine(dir, Short(pngSha256) + ".jpg");
        if (!File.Exists(thumb))
        {
            jpeg ??= Thumbnailer.Make(File.ReadAllBytes(image));
            if (jpeg is null)
            {
                return;
            }
            AtomicFile.WriteAllBytes(thumb, jpeg);
        }
        var info = new FileInfo(image);
        BtceduJson.Write(RecordFile(episodeId, chapterId), new ThumbnailRecord(pngSha256, info.Length, info.LastWriteTimeUtc.Ticks));
    }

    /// <summary><see cref="Keep"/>, where failing to write the cache fails nothing (the gallery then makes the thumbnail itself).</summary>
    public static void TryKeep(WorkspacePaths paths, string episodeId, string chapterId, string pngSha256, byte[]? jpeg)
    {
        try
        {
            new ThumbnailStore(paths).Keep(episodeId, chapterId, pngSha256, jpeg);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// The hash and kept thumbnail of the chapter's image, when the record still describes the PNG in place
    /// (same length and last write time) and the thumbnail is there; else null.
    /// </summary>
    public (string Sha256, string Thumbnail)? Find(string episodeId, string chapterId)
    {
        var record = RecordFile(episodeId, chapterId);
        if (!File.Exists(record))
        {
            return null;
        }
        ThumbnailRecord? r;
        try
        {
            r = JsonSerializer.Deserialize<ThumbnailRecord>(File.ReadAllBytes(record), BtceduJson.Options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
        var image = new FileInfo(paths.ImageFile(episodeId, chapterId));
        if (r is null || !IsHash(r.PngSha256) || !image.Exists || image.Length != r.PngLength || image.LastWriteTimeUtc.Ticks != r.PngWriteTicks
            || ForHash(episodeId, r.PngSha256) is not { } thumb)
        {
            return null;
        }
        return (r.PngSha256, thumb);
    }

    /// <summary>Whether <paramref name="value"/> is a hash as <see cref="ContentHash"/> spells it.</summary>
    public static bool IsHash(string? value) =>
        value is { Length: 71 } && value.StartsWith("sha256:", StringComparison.Ordinal) && value.AsSpan(7).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>The first 16 hex digits of a "sha256:…" hash: the gallery's names use the same.</summary>
    public static string Short(string pngSha256) => pngSha256.AsSpan(pngSha256.IndexOf(':') + 1, 16).ToString();

    private string RecordFile(string episodeId, string chapterId) =>
        Path.Combine(Dir(episodeId), Identifier.Require(chapterId, "Chapter id") + ".json");

    /// <summary>images/thumbs/{chapter_id}.json (snake_case: png_sha256, png_length, png_write_ticks).</summary>
    private sealed record ThumbnailRecord(string PngSha256, long PngLength, long PngWriteTicks);
}
