using System.Text.RegularExpressions;

namespace Btcedu.Core.Workspace;

/// <summary>Episode and chapter ids become path segments, so they are held to a strict, portable shape.</summary>
public static partial class Identifier
{
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    public static bool IsValid(string? id) => id is not null && Shape().IsMatch(id);

    /// <summary>Throws an InvalidArgument error naming <paramref name="what"/> when the id is not usable as a file name.</summary>
    public static string Require(string? id, string what)
    {
        if (!IsValid(id))
        {
            throw new BtceduException($"Invalid{what.Replace(" ", "", StringComparison.Ordinal)}", BtceduErrorKind.InvalidArgument,
                $"'{id}' is not a valid {what.ToLowerInvariant()}: use 1-64 letters, digits, '_' or '-', starting with a letter or digit.",
                id);
        }
        return id!;
    }
}
