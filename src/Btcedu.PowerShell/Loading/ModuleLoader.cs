using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Btcedu.PowerShell.Loading;

/// <summary>
/// Runs when PowerShell loads the cmdlet assembly, before any cmdlet type is touched: the first request
/// for Btcedu.Core is answered from the module's own <see cref="CoreLoadContext"/>.
/// </summary>
internal static class ModuleLoader
{
    private static readonly Lazy<CoreLoadContext> Context = new(() =>
    {
        var here = Path.GetDirectoryName(typeof(ModuleLoader).Assembly.Location)!;
        return new CoreLoadContext(Path.Combine(here, "core", "Btcedu.Core.dll"));
    });

#pragma warning disable CA2255 // this is the module's entry point, not a library's
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => AssemblyLoadContext.Default.Resolving += ResolveCore;

    private static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "Btcedu.Core" ? Context.Value.LoadFromAssemblyPath(Context.Value.CorePath) : null;
}
