using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Gallery;

/// <summary>Reads what a page shows; it only reads the workspace. An episode without a chapter document has no cards.</summary>
internal sealed class GalleryReader(WorkspacePaths paths, ChapterCatalog chapters, PipelineRunStore runs, ImageHistory history)
{
    public GalleryEpisode Read(Episode episode)
    {
        var id = episode.Id;
        var chaptersFile = paths.ChaptersFile(id);
        var document = File.Exists(chaptersFile) ? chapters.Load(episode).Document : null;
        var manifestFile = paths.ManifestFile(id);
        var manifest = ImageManifest.Load(manifestFile);
        var entries = (manifest?.Images ?? []).GroupBy(e => e.ChapterId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var wholeStageStale = StaleMarker.Read(manifestFile);
        var versions = history.List(id).GroupBy(v => v.ChapterId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ImageVersion>)[.. g.OrderByDescending(v => v.Version)], StringComparer.Ordinal);
        var cards = new List<GalleryCard>();
        foreach (var chapter in (document?.Chapters ?? []).OrderBy(c => c.Order))
        {
            var image = paths.ImageFile(id, chapter.ChapterId);
            cards.Add(new GalleryCard(
                chapter,
                entries.GetValueOrDefault(chapter.ChapterId),
                File.Exists(image) ? image : null,
                StaleMarker.Read(image) ?? wholeStageStale,
                versions.GetValueOrDefault(chapter.ChapterId) ?? []));
        }
        var files = new List<GallerySource>();
        AddIfExists(files, chaptersFile, "chapters.json", "chapters.json");
        AddIfExists(files, manifestFile, "manifest.json", "manifest");
        AddIfExists(files, paths.ImageGenProvenanceFile(id), "imagegen_provenance.json", "provenance");
        var lastRun = runs.List(id).Where(r => r.Stage == Stage.imagegen.ToString()).MaxBy(r => r.StartedAt);
        return new GalleryEpisode(episode, document?.Title, cards, StaleMarker.Read(chaptersFile), lastRun, files);
    }

    private static void AddIfExists(List<GallerySource> files, string path, string name, string label)
    {
        if (File.Exists(path))
        {
            files.Add(new GallerySource(path, name, label));
        }
    }
}
