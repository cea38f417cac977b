namespace Btcedu.Core;

/// <summary>
/// Where the files shipped beside Core live (models.yaml, gallery/, fonts/): the folder of the portable Btcedu.Core.dll.
/// On linux-x64 the module may load Core's ReadyToRun image from r2r/linux-x64/ below that folder (build/ReadyToRun),
/// so the folder is found from the image's location, not taken as it.
/// </summary>
internal static class ShippedFiles
{
    public static string Folder { get; } = Find(Path.GetDirectoryName(typeof(ShippedFiles).Assembly.Location)!);

    internal static string Find(string assemblyFolder)
    {
        var platform = new DirectoryInfo(assemblyFolder);
        return platform.Parent is { Name: "r2r", Parent: { } core } ? core.FullName : assemblyFolder;
    }

    public static string PathOf(params string[] parts) => Path.Combine([Folder, .. parts]);
}
