using System.Text.RegularExpressions;

using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Architecture;

/// <summary>ErrorIds are what scripts match on (FullyQualifiedErrorId): one PascalCase word each, written in one place.</summary>
public sealed partial class ErrorIdTests
{
    [GeneratedRegex(@"(?:new(?:\s+BtceduException|\s+ErrorRecord\([^,]+,)?\(\s*|ErrorRecord\([^,]+,\s*)""(?<id>[^""]+)"",\s*(?:BtceduErrorKind|ErrorCategory)", RegexOptions.CultureInvariant)]
    private static partial Regex Construction();

    [GeneratedRegex(@"\A[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PascalCase();

    [Fact]
    public void Every_error_id_in_the_source_is_PascalCase_and_the_not_found_ids_are_built_once()
    {
        var src = Repo.File("src");
        var ids = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Construction().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Id: m.Groups["id"].Value)))
            .ToList();

        Assert.True(ids.Count > 30, $"found only {ids.Count} error ids: the pattern no longer matches the code");
        Assert.All(ids, e => Assert.Matches(PascalCase(), e.Id));
        Assert.Single(ids, e => e.Id == "ChapterNotFound");
        Assert.Single(ids, e => e.Id == "EpisodeNotFound");
    }
}
