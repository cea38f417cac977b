using System.Globalization;
using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// Paid images are never lost: before a chapter's PNG is replaced, a copy goes to
/// <c>images/history/{chapter_id}/v{N}.png</c> (atomically) and then its manifest entry to <c>v{N}.json</c>, which
/// makes the version visible. The PNG in place is never missing, so a kill at any point leaves every image on disk;
/// a copy already kept (same SHA-256) is not kept twice. Versions only grow; pruning to <c>image_history_keep</c>
/// is the only deletion, and its caller logs it.
/// </summary>
public sealed class ImageHistory
{
    private readonly WorkspacePaths _paths;
    private readonly int _keep;

    public ImageHistory(WorkspacePaths paths, int keep)
    {
        _paths = paths;
        _keep = Math.Max(1, keep);
    }

    public string Dir(string episodeId, string chapterId) =>
        Path.Combine(_paths.ImagesDir(episodeId), "history", Identifier.Require(chapterId, "Chapter id"));

    /// <summary>The kept versions of one chapter (or every chapter), newest first.</summary>
    public IReadOnlyList<ImageVersion> List(string episodeId, string? chapterId = null)
    {
        var root = Path.Combine(_paths.ImagesDir(episodeId), "history");
        var dirs = chapterId is not null ? [Dir(episodeId, chapterId)]
            : Directory.Exists(root) ? Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal).ToArray() : [];
        var result = new List<ImageVersion>();
        foreach (var dir in dirs.Where(Directory.Exists))
        {
            foreach (var json in Directory.EnumerateFiles(dir, "v*.json"))
            {
                if (Read(episodeId, json) is { } version)
                {
                    result.Add(version);
                }
            }
        }
        return [.. result.OrderBy(v => v.ChapterId, StringComparer.Ordinal).ThenByDescending(v => v.Version)];
    }

    /// <summary>
    /// Keeps the chapter's current PNG, if any, with <paramref name="entry"/> (its manifest entry), then prunes.
    /// An entry that did not end Generated may carry a newer attempt's hash, so it is kept without a hash.
    /// </summary>
    public ImageArchive Archive(string episodeId, string chapterId, ManifestEntry? entry, DateTimeOffset now)
    {
        var image = _paths.ImageFile(episodeId, chapterId);
        if (!File.Exists(image))
        {
            return new ImageArchive(null, []);
        }
        var png = File.ReadAllBytes(image);
        var sha = ContentHash.Of(png);
        var kept = List(episodeId, chapterId);
        if (kept.Any(v => v.PngSha256 == sha))
        {
            return new ImageArchive(null, Prune(episodeId, chapterId));
        }
        var dir = Dir(episodeId, chapterId);
        Directory.CreateDirectory(dir);
        var version = NextVersion(dir);
        var described = entry is null
            ? new ManifestEntry { ChapterId = chapterId, VisualType = "unknown", Status = ImageStatus.Generated }
            : entry.Status == ImageStatus.Generated ? entry : entry with { ChapterHash = null };
        described = described with { Status = ImageStatus.Generated, Error = null, Reason = null };
        AtomicFile.WriteAllBytes(PngPath(dir, version), png);
        BtceduJson.Write(JsonPath(dir, version), new ImageVersionRecord(chapterId, version, Timestamps.Format(now), sha, described));
        return new ImageArchive(version, Prune(episodeId, chapterId));
    }

    /// <summary>Deletes the oldest versions beyond the limit (and files of versions never completed); returns the versions deleted.</summary>
    public IReadOnlyList<int> Prune(string episodeId, string chapterId)
    {
        var dir = Dir(episodeId, chapterId);
        if (!Directory.Exists(dir))
        {
            return [];
        }
        var complete = List(episodeId, chapterId).Select(v => v.Version).ToList(); // newest first
        var doomed = complete.Skip(_keep).ToHashSet();
        var pruned = new SortedSet<int>();
        foreach (var file in Directory.EnumerateFiles(dir, "v*.*"))
        {
            if (VersionOf(file) is { } v && (doomed.Contains(v) || (!complete.Contains(v) && v < complete.DefaultIfEmpty(0).Max())))
            {
                File.Delete(file);
                pruned.Add(v);
            }
        }
        return [.. pruned];
    }

    /// <summary>Removes one version (after a restore brought it back).</summary>
    internal void Remove(ImageVersion version)
    {
        var dir = Dir(version.EpisodeId, version.ChapterId);
        File.Delete(JsonPath(dir, version.Version)); // first: the version disappears at once
        File.Delete(PngPath(dir, version.Version));
    }

    private ImageVersion? Read(string episodeId, string json)
    {
        var png = Path.ChangeExtension(json, ".png");
        if (!File.Exists(png))
        {
            return null;
        }
        try
        {
            var r = JsonSerializer.Deserialize<ImageVersionRecord>(File.ReadAllBytes(json), BtceduJson.Options);
            if (r?.Entry is null || r.Version != VersionOf(json))
            {
                return null;
            }
            return new ImageVersion
            {
                EpisodeId = episodeId,
                ChapterId = r.ChapterId,
                Version = r.Version,
                Path = png,
                Prompt = r.Entry.Prompt,
                Model = r.Entry.Model,
                CostUsd = r.Entry.CostUsd,
                GeneratedAt = r.Entry.GeneratedAt is { } at ? Timestamps.Parse(at) : null,
                ArchivedAt = Timestamps.Parse(r.ArchivedAt),
                ChapterHash = r.Entry.ChapterHash,
                PngSha256 = r.PngSha256,
                Entry = r.Entry,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException)
        {
            return null; // a version half written by a killed process, or damaged: never shown, pruned later
        }
    }

    private static int NextVersion(string dir) =>
        Directory.EnumerateFiles(dir, "v*.*").Select(VersionOf).OfType<int>().DefaultIfEmpty(0).Max() + 1;

    private static int? VersionOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        return name.Length > 1 && name[0] == 'v' && int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    private static string PngPath(string dir, int version) => Path.Combine(dir, $"v{version.ToString(CultureInfo.InvariantCulture)}.png");

    private static string JsonPath(string dir, int version) => Path.Combine(dir, $"v{version.ToString(CultureInfo.InvariantCulture)}.json");
}
