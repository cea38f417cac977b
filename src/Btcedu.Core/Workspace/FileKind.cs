using System.Runtime.InteropServices;

namespace Btcedu.Core.Workspace;

/// <summary>What a path names, found without opening it: opening a FIFO blocks until a writer comes, and a device never ends.</summary>
internal enum FileKind { Missing, Regular, Directory, Other }

internal static class FileKinds
{
    public static FileKind Of(string path)
    {
        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }
        if (!File.Exists(path))
        {
            return FileKind.Missing;
        }
        if (OperatingSystem.IsWindows())
        {
            return (File.GetAttributes(path) & FileAttributes.Device) != 0 ? FileKind.Other : FileKind.Regular;
        }
        // .NET's own native shim (System.Native, shipped with every runtime) normalises stat across Linux and
        // macOS: its FileStatus struct starts with int Flags, int Mode, and Mode uses the S_IFMT values below.
        var status = new byte[512];
        if (Stat(path, status) != 0)
        {
            return FileKind.Missing;
        }
        return (BitConverter.ToInt32(status, 4) & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            _ => FileKind.Other, // FIFO, character or block device, socket
        };
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> + 1 bytes, so that a file growing under us cannot exhaust memory.</summary>
    public static byte[] ReadCapped(string path, long maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        var buffer = new byte[checked((int)maxBytes + 1)];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0)
        {
            read += n;
        }
        return buffer[..read];
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);
}
