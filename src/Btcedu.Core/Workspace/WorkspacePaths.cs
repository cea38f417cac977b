namespace Btcedu.Core.Workspace;

/// <summary>Where every artifact of a workspace lives (ARCHITECTURE.md, "Workspace").</summary>
public sealed record WorkspacePaths(string Root)
{
    public string DataDir => Path.Combine(Root, "data");
    public string DatabasePath => Path.Combine(DataDir, "btcedu.db");
    public string OutputsDir => Path.Combine(DataDir, "outputs");
    public string SettingsFile => Path.Combine(Root, "btcedu.yaml");

    public string EpisodeDir(string episodeId) => Path.Combine(OutputsDir, Identifier.Require(episodeId, "Episode id"));
    public string ChaptersFile(string episodeId) => Path.Combine(EpisodeDir(episodeId), "chapters.json");
    public string ImagesDir(string episodeId) => Path.Combine(EpisodeDir(episodeId), "images");
    public string ImageFile(string episodeId, string chapterId) =>
        Path.Combine(ImagesDir(episodeId), Identifier.Require(chapterId, "Chapter id") + ".png");
    public string ManifestFile(string episodeId) => Path.Combine(ImagesDir(episodeId), "manifest.json");
    public string ProvenanceDir(string episodeId) => Path.Combine(EpisodeDir(episodeId), "provenance");
    public string ImageGenProvenanceFile(string episodeId) => Path.Combine(ProvenanceDir(episodeId), "imagegen_provenance.json");
    public string LockFile(string episodeId) => Path.Combine(EpisodeDir(episodeId), ".imagegen.lock");

    /// <summary>The path relative to the episode folder, with forward slashes, as manifests record it.</summary>
    public string RelativeToEpisode(string episodeId, string path) =>
        Path.GetRelativePath(EpisodeDir(episodeId), path).Replace('\\', '/');
}
