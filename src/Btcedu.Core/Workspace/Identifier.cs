using System.Text.RegularExpressions;

namespace Btcedu.Core.Workspace;

/// <summary>Episode and chapter ids become path segments, so they are held to a strict, portable shape.</summary>
public static partial class Identifier
{
    // \z, not $: $ also matches before a final "\n", which would let "ch02\n" become a file name.
    public const string Pattern = @"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\z";

    /// <summary>What an id must look like, for messages.</summary>
    public const string Rule = "use 1-64 letters, digits, '_' or '-', starting with a letter or digit";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    // Windows refuses these as file names in any case and with any extension (CON.png is the console).
    [GeneratedRegex(@"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DeviceName();

    public static bool IsValid(string? id) => Problem(id) is null;

    /// <summary>Why <paramref name="id"/> cannot be an id, or null when it can.</summary>
    public static string? Problem(string? id)
    {
        if (id is null || !Shape().IsMatch(id))
        {
            return id is not null && id.IndexOfAny(['*', '?', '[', ']']) >= 0
                ? $"'{id}' is not an id but a wildcard pattern; this parameter takes exact ids ({Rule})."
                : $"'{id}' is not usable as a file name: {Rule} (no dots, slashes, spaces or line breaks).";
        }
        if (DeviceName().IsMatch(id))
        {
            return $"'{id}' is a reserved device name on Windows (CON, PRN, AUX, NUL, COM0-9, LPT0-9, in any case) and cannot name a file; choose another id.";
        }
        return null;
    }

    /// <summary>Throws an InvalidArgument error (ErrorId Invalid + <paramref name="what"/> in PascalCase) when the id is not usable as a file name.</summary>
    public static string Require(string? id, string what)
    {
        if (Problem(id) is { } problem)
        {
            var errorId = "Invalid" + string.Concat(what.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            throw new BtceduException(errorId, BtceduErrorKind.InvalidArgument, $"Not a valid {what.ToLowerInvariant()}: {problem}", id);
        }
        return id!;
    }
}
