namespace Btcedu.Core.Chapters;

/// <summary>One violation of the chapter contract, at its JSON path (e.g. <c>chapters[3].visual.type</c>).</summary>
public sealed record ChapterProblem(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>The chapter document is unusable; <see cref="Problems"/> lists every violation found.</summary>
public sealed class ChapterDocumentException : BtceduException
{
    public ChapterDocumentException(string file, IReadOnlyList<ChapterProblem> problems)
        : base("InvalidChapterDocument", BtceduErrorKind.InvalidData, Describe(file, problems), file)
    {
        Problems = problems;
    }

    public IReadOnlyList<ChapterProblem> Problems { get; }

    /// <summary>The message lists this many problems; <see cref="Problems"/> holds them all (10,000 bad chapters are not 10,000 lines).</summary>
    public const int ListedProblems = 20;

    private static string Describe(string file, IReadOnlyList<ChapterProblem> problems) =>
        problems.Count == 1
            ? $"{file} is not a valid chapter document: {problems[0]}"
            : $"{file} is not a valid chapter document ({problems.Count} problems):{Environment.NewLine}  " +
              string.Join(Environment.NewLine + "  ", problems.Take(ListedProblems)) +
              (problems.Count > ListedProblems
                  ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                      $"{Environment.NewLine}  … and {problems.Count - ListedProblems} more; the error's Exception.Problems lists every one.")
                  : "");
}
