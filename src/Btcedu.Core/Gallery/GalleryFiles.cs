using System.Security.Cryptography;
using Btcedu.Core.Imaging;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Gallery;

/// <summary>
/// Writes into the gallery folder: every file atomically, and only when its content changed, so a browser never sees
/// half a page and a re-export with nothing changed writes nothing. Images and thumbnails are named by the image's
/// hash (<c>{chapter}-{hash}.png</c>, <c>.jpg</c>): one that exists is already complete and is never redone.
/// </summary>
internal sealed class GalleryFiles(string root)
{
    private readonly HashSet<string> _referenced = new(StringComparer.Ordinal);

    public string Root { get; } = root;
    public int Written { get; private set; }
    public int ThumbnailsMade { get; private set; }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="relative"/> unless the file there already holds them.</summary>
    public void Write(string relative, byte[] bytes)
    {
        var path = Full(relative);
        if (File.Exists(path) && new FileInfo(path).Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, bytes);
        Written++;
    }

    public void WriteText(string relative, string text) => Write(relative, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>
    /// Puts the full image and its thumbnail of <paramref name="source"/> in the episode's folder, named by its hash.
    /// With <paramref name="known"/> (the PNG's SHA-256 and the thumbnail the run kept, <see cref="ImageGen.ThumbnailStore"/>)
    /// the PNG is neither read nor decoded: both files are linked (or copied) into place. Without it (images older than
    /// kept thumbnails) the PNG is read, hashed and thumbnailed here. Returns the two paths relative to the episode
    /// folder, or null when the PNG cannot be read or decoded.
    /// </summary>
    public GalleryImage? Image(string episodeId, string chapterId, string source, (string Sha256, string? Thumbnail)? known = null)
    {
        if (known is { } k)
        {
            try
            {
                return Place(episodeId, chapterId, source, ImageGen.ThumbnailStore.Short(k.Sha256), png: null, k.Thumbnail);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Fall back to reading the PNG (it may have gone meanwhile: then it is left out, as below).
            }
        }
        byte[] png;
        try
        {
            png = File.ReadAllBytes(source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Place(episodeId, chapterId, source, Convert.ToHexString(SHA256.HashData(png), 0, 8).ToLowerInvariant(), png, keptThumbnail: null);
    }

    private GalleryImage? Place(string episodeId, string chapterId, string source, string hash, byte[]? png, string? keptThumbnail)
    {
        var name = $"{chapterId}-{hash}";
        var full = $"img/{name}.png";
        var thumb = $"thumb/{name}.jpg";
        var thumbPath = Full($"{episodeId}/{thumb}");
        if (!File.Exists(thumbPath))
        {
            if (keptThumbnail is not null)
            {
                FileLink.LinkOrCopy(keptThumbnail, thumbPath);
            }
            else
            {
                if (Thumbnailer.Make(png ?? File.ReadAllBytes(source)) is not { } jpeg)
                {
                    return null;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(thumbPath)!);
                AtomicFile.WriteAllBytes(thumbPath, jpeg);
                ThumbnailsMade++;
            }
            Written++;
        }
        var fullPath = Full($"{episodeId}/{full}");
        if (!File.Exists(fullPath))
        {
            // The workspace's images are replaced by rename, never rewritten, so a link keeps this version's bytes.
            FileLink.LinkOrCopy(source, fullPath);
            Written++;
        }
        _referenced.Add(fullPath);
        _referenced.Add(thumbPath);
        return new GalleryImage(full, thumb);
    }

    /// <summary>
    /// Deletes the images and thumbnails of an episode's folder that its page no longer shows (an image that was
    /// replaced). Only files named as the gallery names them, in the two folders it owns, are touched.
    /// </summary>
    public int Prune(string episodeId)
    {
        var pruned = 0;
        foreach (var (folder, extension) in new[] { ("img", ".png"), ("thumb", ".jpg") })
        {
            var dir = Full($"{episodeId}/{folder}");
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(dir, "*" + extension))
            {
                if (!_referenced.Contains(file) && IsGalleryName(Path.GetFileNameWithoutExtension(file)))
                {
                    File.Delete(file);
                    pruned++;
                }
            }
        }
        return pruned;
    }

    private static bool IsGalleryName(string name)
    {
        var dash = name.LastIndexOf('-');
        return dash > 0 && name.Length - dash - 1 == 16 && name.AsSpan(dash + 1).IndexOfAnyExcept("0123456789abcdef") < 0;
    }

    private string Full(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));
}

/// <summary>An image in the gallery: the full PNG and its thumbnail, relative to the episode folder.</summary>
internal sealed record GalleryImage(string Full, string Thumbnail);
