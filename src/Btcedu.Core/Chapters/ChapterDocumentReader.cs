using Btcedu.Core.Workspace;

namespace Btcedu.Core.Chapters;

/// <summary>
/// Reads and validates a chapter document against the contract in ARCHITECTURE.md. Every violation is
/// collected with its JSON path and reported at once; the document itself is never rewritten.
/// </summary>
/// <remarks>
/// The steps, each its own type: <see cref="ChapterFileCheck"/> (the file and its encoding),
/// <see cref="StrictJson"/> (syntax, depth, duplicate keys, lone surrogates), <see cref="ChapterDocumentValidator"/>
/// (the document's rules) and <see cref="ChapterMapper"/> (each chapter). A step that finds problems ends the read.
/// </remarks>
public static class ChapterDocumentReader
{
    /// <summary>A chapter document is text for a few hours of video; anything bigger is a mistake, not an episode.</summary>
    public const long MaxFileBytes = ChapterFileCheck.MaxBytes;

    /// <summary>The reader's nesting limit; the contract needs 4 levels (document, chapters, chapter, overlay).</summary>
    public const int MaxDepth = 32;

    public static ChapterDocumentFile ReadFile(string path)
    {
        var bytes = ChapterFileCheck.Read(path);
        return new ChapterDocumentFile(path, Parse(bytes, path), bytes);
    }

    public static ChapterDocument Parse(ReadOnlySpan<byte> utf8, string source)
    {
        ChapterFileCheck.CheckEncoding(utf8, source);
        var fields = new JsonFieldReader();
        using var json = StrictJson.Parse(utf8, MaxDepth, fields);
        var document = json is null ? null : new ChapterDocumentValidator(fields).Validate(json.RootElement);
        if (document is null)
        {
            throw new ChapterDocumentException(source, fields.Problems.Select(p => new ChapterProblem(p.Path, p.Message)).ToList());
        }
        return document;
    }
}
