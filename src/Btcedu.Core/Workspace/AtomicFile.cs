using System.Text;

namespace Btcedu.Core.Workspace;

/// <summary>
/// Every file is written through here: a temp file in the same folder, flushed to disk, then renamed over
/// the target, so a reader or a killed run never sees half a file.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Writes synchronously: file I/O on Linux blocks a thread either way (an async FileStream only moves it to a
    /// pool thread), and the image run's local stage, which writes most, runs on threads of its own.
    /// </summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The same, for async callers (it completes synchronously).</summary>
    public static Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WriteAllBytes(path, bytes.Span);
        return Task.CompletedTask;
    }

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8NoBom.GetBytes(text));
}
