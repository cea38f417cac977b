using Btcedu.Core.Workspace;
using Btcedu.Core.Composition;

namespace Btcedu.Core.Tests.Support;

/// <summary>A fresh workspace root in the temp folder, deleted afterwards.</summary>
public sealed class TempWorkspace : IDisposable
{
    public TempWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "btcedu-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Paths = new WorkspacePaths(Root);
    }

    public string Root { get; }
    public WorkspacePaths Paths { get; }

    public BtceduWorkspace Open(IReadOnlyDictionary<string, string?>? environment = null, TimeProvider? time = null) =>
        BtceduWorkspace.Open(Root, environment ?? new Dictionary<string, string?>(), time);

    public string WriteFile(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new System.Text.UTF8Encoding(false));
        return path;
    }

    public string WriteFile(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Every file under the root with its bytes' hash, to prove an operation changed nothing.</summary>
    public IReadOnlyDictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("-shm", StringComparison.Ordinal) && !f.EndsWith("-wal", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(Root, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        // Every manifest the module wrote here was checked against the schema as it was written.
        Assert.Empty(ManifestContract.ViolationsUnder(Root));
    }
}
