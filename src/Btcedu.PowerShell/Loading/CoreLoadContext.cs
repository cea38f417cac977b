using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Btcedu.PowerShell.Loading;

/// <summary>
/// The module's own load context: Btcedu.Core and every third-party library and native binary it needs,
/// resolved from Core's deps.json in the core/ folder. Another module's YamlDotNet or System.ClientModel
/// in the same session can never clash with ours; anything Core's deps.json does not list (the framework,
/// PowerShell's own assemblies) comes from the default context. So does a package copy of a framework assembly
/// (System.Text.Json, System.Diagnostics.DiagnosticSource, …) when the running framework's own is at least as new: on
/// PowerShell 7.6 the framework's copy is precompiled and already loaded, where ours would be compiled method by method
/// on the first call; on 7.4 (.NET 8) ours is newer and loads here.
/// </summary>
internal sealed class CoreLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    private readonly string? _readyToRunFolder;

    public CoreLoadContext(string corePath)
        : base("Btcedu", isCollectible: false)
    {
        CorePath = corePath;
        _resolver = new AssemblyDependencyResolver(corePath);
        // ReadyToRun images made for .NET 10 on linux-x64 (build/ReadyToRun): the runtime rejects an image made for
        // another OS or CPU, and .NET 8 ignores one made for .NET 10, so they are used only where they can run.
        var folder = Path.Combine(Path.GetDirectoryName(corePath)!, "r2r", "linux-x64");
        _readyToRunFolder = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
            && Environment.Version.Major >= 10 && Directory.Exists(folder) ? folder : null;
    }

    public string CorePath { get; }

    /// <summary>Btcedu.Core itself, precompiled where this platform has an image of it.</summary>
    public Assembly LoadCore() => LoadFromAssemblyPath(Preferred(CorePath));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null || FrameworkServes(assemblyName, path) ? null : LoadFromAssemblyPath(Preferred(path));
    }

    /// <summary>The ReadyToRun image of the assembly at <paramref name="path"/>, when there is one for this platform.</summary>
    private string Preferred(string path)
    {
        if (_readyToRunFolder is null)
        {
            return path;
        }
        var image = Path.Combine(_readyToRunFolder, Path.GetFileName(path));
        return File.Exists(image) ? image : path;
    }

    private static bool FrameworkServes(AssemblyName requested, string packagePath)
    {
        var name = requested.Name;
        if (name is null || !FrameworkAssemblies.Value.TryGetValue(name, out var frameworkPath))
        {
            return false;
        }
        var packageVersion = AssemblyName.GetAssemblyName(packagePath).Version;
        var frameworkVersion = AssemblyName.GetAssemblyName(frameworkPath).Version;
        return frameworkVersion is not null && (packageVersion is null || frameworkVersion >= packageVersion);
    }

    /// <summary>The running framework's own assemblies (Microsoft.NETCore.App's folder), by simple name.</summary>
    private static readonly Lazy<Dictionary<string, string>> FrameworkAssemblies = new(() =>
    {
        var folder = RuntimeEnvironment.GetRuntimeDirectory();
        var all = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        return all.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => path.StartsWith(folder, StringComparison.Ordinal))
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.OrdinalIgnoreCase);
    });

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
