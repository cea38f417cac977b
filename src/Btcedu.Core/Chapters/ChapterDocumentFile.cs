namespace Btcedu.Core.Chapters;

/// <summary>A chapter document read from disk: the parsed model and the exact bytes it came from.</summary>
public sealed record ChapterDocumentFile(string Path, ChapterDocument Document, byte[] Content)
{
    /// <summary>"sha256:…" over the file's bytes; a re-import with another hash changes the episode.</summary>
    public string ContentHash { get; } = Workspace.ContentHash.Of(Content);
}
