using System.Runtime.InteropServices;

namespace Btcedu.Core.Workspace;

/// <summary>
/// A second name for a file that is never rewritten in place (images are replaced by rename, so a link keeps the
/// old content): the gallery's copy of a 2–3 MB PNG costs a directory entry instead of a read and a write.
/// Falls back to an atomic copy where links are not possible (another volume, a file system without them).
/// </summary>
internal static class FileLink
{
    /// <summary>Makes <paramref name="path"/> hold <paramref name="existing"/>'s content, atomically (a link under a temp name, then a rename).</summary>
    public static void LinkOrCopy(string existing, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        if (TryLink(existing, temp))
        {
            try
            {
                File.Move(temp, path, overwrite: true);
                return;
            }
            catch
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
        }
        AtomicFile.WriteAllBytes(path, File.ReadAllBytes(existing));
    }

    private static bool TryLink(string existing, string path)
    {
        try
        {
            return OperatingSystem.IsWindows() ? CreateHardLinkW(path, existing, IntPtr.Zero) : link(existing, path) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // Strings marshal as UTF-8 on Unix (CharSet.Ansi there), UTF-16 for the W function.
    [DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string path);

    [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool CreateHardLinkW(string path, string existing, IntPtr securityAttributes);
}
