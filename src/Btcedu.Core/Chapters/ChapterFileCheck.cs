using System.Globalization;
using System.Text;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Chapters;

/// <summary>
/// What a chapter document's file must be before its JSON is read: a regular file of at most
/// <see cref="MaxBytes"/>, in UTF-8 without a byte-order mark.
/// </summary>
internal static class ChapterFileCheck
{
    /// <summary>A chapter document is text for a few hours of video; anything bigger is a mistake, not an episode.</summary>
    public const long MaxBytes = 5 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>The file's bytes, or the error that says why it cannot be a chapter document.</summary>
    public static byte[] Read(string path)
    {
        byte[] bytes;
        try
        {
            CheckKind(path);
            var length = new FileInfo(path).Length;
            if (length > MaxBytes)
            {
                throw TooLarge(path, string.Create(CultureInfo.InvariantCulture, $"the file is {length / 1024.0 / 1024.0:0.0} MB"));
            }
            // Capped all the same: the file may grow between the check and the read.
            bytes = FileKinds.ReadCapped(path, MaxBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BtceduException("ChapterFileUnreadable", BtceduErrorKind.ReadError, $"Chapter document '{path}' could not be read: {e.Message}", path, e);
        }
        if (bytes.Length > MaxBytes)
        {
            throw TooLarge(path, "the file is larger than that");
        }
        return bytes;
    }

    /// <summary>Refuses a BOM, UTF-16 and invalid UTF-8, each with a message that says how to save the file.</summary>
    public static void CheckEncoding(ReadOnlySpan<byte> utf8, string source)
    {
        if (utf8.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            throw Fail(source, "the file starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM.");
        }
        if (utf8.StartsWith(new byte[] { 0xFF, 0xFE }) || utf8.StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            throw Fail(source, "the file is UTF-16; save it as UTF-8 without BOM.");
        }
        try
        {
            _ = StrictUtf8.GetCharCount(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(source, "the file is not valid UTF-8 text; save it as UTF-8 without BOM.");
        }
    }

    /// <summary>Checked before opening: a FIFO would block the open, and /dev/zero would be read until memory ran out.</summary>
    private static void CheckKind(string path)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Missing:
                throw new BtceduException("ChapterFileNotFound", BtceduErrorKind.ObjectNotFound, $"Chapter document '{path}' does not exist.", path);
            case FileKind.Directory:
                throw new BtceduException("ChapterFileIsDirectory", BtceduErrorKind.InvalidArgument,
                    $"'{path}' is a directory; give the path of a chapter document (a chapters.json file).", path);
            case FileKind.Other:
                throw new BtceduException("ChapterFileNotRegular", BtceduErrorKind.InvalidArgument,
                    $"'{path}' is not a regular file (it is a FIFO, socket or device); only regular files are read as chapter documents.", path);
        }
    }

    private static ChapterDocumentException TooLarge(string path, string size) =>
        Fail(path, string.Create(CultureInfo.InvariantCulture, $"{size}; a chapter document may be at most {MaxBytes / 1024 / 1024} MB."));

    private static ChapterDocumentException Fail(string source, string message) => new(source, [new ChapterProblem("", message)]);
}
