namespace Btcedu.Core.Tests.Support;

/// <summary>The repository the tests run from (the folder holding Btcedu.sln above the test assembly).</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Btcedu.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Btcedu.sln not found above the test assembly");
    }
}
