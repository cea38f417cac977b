using System.Globalization;
using System.Text.RegularExpressions;

namespace Btcedu.Core.OpenAi;

/// <summary>Reads OpenAI's x-ratelimit-reset-* durations: "20ms", "1s", "1.5s", "6m0s", "1h2m3s".</summary>
internal static partial class RateLimitReset
{
    [GeneratedRegex(@"\A(?:(?<h>\d+)h)?(?:(?<m>\d+)m(?!s))?(?:(?<s>\d+(?:\.\d+)?)s)?(?:(?<ms>\d+(?:\.\d+)?)ms)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = text is null ? null : Shape().Match(text.Trim());
        if (match is null || !match.Success || match.Length == 0)
        {
            return false;
        }
        double Part(string name) => match.Groups[name].Success ? double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        duration = TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s")) + TimeSpan.FromMilliseconds(Part("ms"));
        return true;
    }
}
