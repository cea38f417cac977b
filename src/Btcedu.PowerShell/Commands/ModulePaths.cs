namespace Btcedu.PowerShell.Commands;

/// <summary>Folders shipped with the module, found from the cmdlet assembly (module/…) so they work from any location.</summary>
internal static class ModulePaths
{
    public static string Root { get; } = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(ModulePaths).Assembly.Location)!, ".."));

    public static string Prompts => Path.Combine(Root, "prompts");
}
