namespace Btcedu.Core.OpenAi;

/// <summary>
/// Removes the API key, and any credentials written into openai_base_url (<c>http://user:pass@host/v1</c>),
/// from any text that leaves the service (log lines, messages), because servers, gateways and the transport
/// sometimes echo what they were sent in their error bodies.
/// </summary>
internal sealed class SecretScrubber
{
    public const string Mask = "[redacted]";

    private readonly string[] _secrets;

    public SecretScrubber(string? secret, Uri? endpoint = null)
    {
        var secrets = new List<string>();
        if (!string.IsNullOrEmpty(secret))
        {
            secrets.Add(secret);
        }
        if (endpoint is { IsAbsoluteUri: true, UserInfo.Length: > 0 })
        {
            var userInfo = endpoint.UserInfo;
            secrets.Add(userInfo);
            secrets.Add(Uri.UnescapeDataString(userInfo));
            // The password alone too, unless it is so short that masking it would garble ordinary words.
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && userInfo.Length - colon - 1 >= 4)
            {
                secrets.Add(userInfo[(colon + 1)..]);
                secrets.Add(Uri.UnescapeDataString(userInfo[(colon + 1)..]));
            }
        }
        // Longest first, so that no part of a longer secret is left behind by a shorter one's replacement.
        _secrets = [.. secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    public string Scrub(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>The part of <paramref name="uri"/> a message may show: never its user name or password.</summary>
    public static string Display(Uri uri, UriPartial part)
    {
        if (!uri.IsAbsoluteUri)
        {
            return uri.OriginalString;
        }
        if (uri.UserInfo.Length > 0)
        {
            uri = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        }
        return uri.GetLeftPart(part);
    }
}
