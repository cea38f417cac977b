using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Gallery;

/// <summary>
/// Writes the static review gallery: <c>index.html</c>, <c>gallery.css</c>, <c>gallery.js</c> and per episode
/// <c>{episode}/index.html</c> with its images (<c>img/</c>), thumbnails (<c>thumb/</c>) and files (<c>files/</c>).
/// Self-contained, relative links only; every file is written atomically and only when it changed. The index lists
/// the episodes exported now and every episode exported to the folder before that still exists.
/// </summary>
public sealed class GalleryExporter
{
    private readonly WorkspacePaths _paths;
    private readonly EpisodeStore _episodes;
    private readonly GalleryReader _reader;
    private readonly GalleryTemplate _template;

    public GalleryExporter(WorkspacePaths paths, EpisodeStore episodes, ChapterCatalog chapters, PipelineRunStore runs, ImageHistory history, GalleryTemplate template)
    {
        _paths = paths;
        _episodes = episodes;
        _reader = new GalleryReader(paths, chapters, runs, history);
        _template = template;
    }

    /// <summary>The default folder: <c>data/gallery/</c> of the workspace.</summary>
    public string DefaultDirectory => Path.Combine(_paths.DataDir, "gallery");

    /// <summary>The episode page an export of <paramref name="episodeId"/> into <paramref name="directory"/> writes.</summary>
    public static string PagePath(string directory, string episodeId) =>
        Path.Combine(directory, Identifier.Require(episodeId, "Episode id"), "index.html");

    /// <summary>
    /// Exports <paramref name="episodeIds"/> (an unknown one is a failure, the others go on) and the index.
    /// <paramref name="progress"/> is called on the caller's thread.
    /// </summary>
    public GalleryExport Export(IReadOnlyList<string> episodeIds, string? directory = null, Action<GalleryProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(directory ?? DefaultDirectory);
        var files = new GalleryFiles(root);
        var pages = new List<GalleryEpisodePage>();
        var failures = new List<BtceduException>();
        var exported = new List<GalleryEpisode>();
        var pruned = 0;
        foreach (var id in episodeIds.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var episode = _reader.Read(_episodes.Get(id));
                var images = Images(files, episode, new ThumbnailStore(_paths), progress, cancellationToken);
                foreach (var source in episode.Files)
                {
                    files.Write($"{id}/{EpisodePage.FilesFolder}/{source.Name}", File.ReadAllBytes(source.Path));
                }
                files.WriteText($"{id}/index.html", EpisodePage.Render(_template, episode, images));
                pruned += files.Prune(id);
                pages.Add(new GalleryEpisodePage(id, PagePath(root, id), episode.Cards.Count));
                exported.Add(episode);
            }
            catch (BtceduException e)
            {
                failures.Add(e);
            }
        }
        files.Write(GalleryTemplate.StylesheetName, _template.Stylesheet);
        files.Write(GalleryTemplate.ScriptName, _template.Script);
        files.WriteText("index.html", IndexPage.Render(_template, IndexEpisodes(root, exported)));
        return new GalleryExport(root, Path.Combine(root, "index.html"), pages, failures, files.Written, files.ThumbnailsMade, pruned);
    }

    private static Dictionary<string, GalleryImage> Images(GalleryFiles files, GalleryEpisode episode, ThumbnailStore thumbnails,
        Action<GalleryProgress>? progress, CancellationToken cancellationToken)
    {
        // What the run kept: the current image's hash and thumbnail while its record still matches the file; a history
        // version's hash from its v{N}.json, and its thumbnail if one was kept for that hash.
        var sources = episode.Cards.SelectMany(c =>
            (c.ImagePath is null ? [] : new[] { (c.Chapter.ChapterId, c.ImagePath, Known: Known(thumbnails.Find(episode.Id, c.Chapter.ChapterId))) })
            .Concat(c.History.Select(v => (c.Chapter.ChapterId, v.Path, Known: ThumbnailStore.IsHash(v.PngSha256)
                ? ((string, string?)?)(v.PngSha256, thumbnails.ForHash(episode.Id, v.PngSha256)) : null))))
            .ToList();
        var images = new Dictionary<string, GalleryImage>(StringComparer.Ordinal);
        for (var i = 0; i < sources.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Invoke(new GalleryProgress(episode.Id, i, sources.Count));
            var (chapterId, path, known) = sources[i];
            if (files.Image(episode.Id, chapterId, path, known) is { } image)
            {
                images[path] = image;
            }
        }
        progress?.Invoke(new GalleryProgress(episode.Id, sources.Count, sources.Count));
        return images;
    }

    private static (string, string?)? Known((string Sha256, string Thumbnail)? found) => found is { } f ? (f.Sha256, f.Thumbnail) : null;

    /// <summary>The episodes exported now, then those exported before (their page is in the folder) that still exist, by id.</summary>
    private List<GalleryEpisode> IndexEpisodes(string root, List<GalleryEpisode> exported)
    {
        var all = new List<GalleryEpisode>(exported);
        var known = exported.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var episode in _episodes.List().Where(e => !known.Contains(e.Id) && File.Exists(PagePath(root, e.Id))))
        {
            try
            {
                all.Add(_reader.Read(episode));
            }
            catch (BtceduException)
            {
                // Its page stays as it was exported; the index leaves out what it cannot read now.
            }
        }
        return [.. all.OrderBy(e => e.Id, StringComparer.Ordinal)];
    }
}
