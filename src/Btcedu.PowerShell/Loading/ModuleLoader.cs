using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Btcedu.PowerShell.Loading;

/// <summary>
/// Hooks the default load context so that the first request for Btcedu.Core is answered from the module's
/// own <see cref="CoreLoadContext"/>. PowerShell calls <see cref="OnImport"/> on Import-Module, before it
/// reads cmdlet metadata such as [OutputType]; the module initializer covers any other way in.
/// </summary>
public sealed class ModuleLoader : IModuleAssemblyInitializer
{
    private static readonly Lazy<CoreLoadContext> Context = new(() =>
    {
        var here = Path.GetDirectoryName(typeof(ModuleLoader).Assembly.Location)!;
        return new CoreLoadContext(Path.Combine(here, "core", "Btcedu.Core.dll"));
    });

    private static int _hooked;

    public void OnImport() => Hook();

#pragma warning disable CA2255 // this is the module's entry point, not a library's
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Hook()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += ResolveCore;
        }
    }

    private static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "Btcedu.Core" ? Context.Value.LoadCore() : null;
}
