using System.Reflection;
using System.Runtime.Loader;

namespace Btcedu.PowerShell.Loading;

/// <summary>
/// The module's own load context: Btcedu.Core and every third-party library and native binary it needs,
/// resolved from Core's deps.json in the core/ folder. Another module's YamlDotNet or System.ClientModel
/// in the same session can never clash with ours; anything Core's deps.json does not list (the framework,
/// PowerShell's own assemblies) comes from the default context.
/// </summary>
internal sealed class CoreLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public CoreLoadContext(string corePath)
        : base("Btcedu", isCollectible: false)
    {
        CorePath = corePath;
        _resolver = new AssemblyDependencyResolver(corePath);
    }

    public string CorePath { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
