namespace Btcedu.Core.OpenAi;

/// <summary>
/// Removes the API key from any text that leaves the service (log lines, messages), because servers and
/// gateways sometimes echo the key they were sent in their error bodies.
/// </summary>
internal sealed class SecretScrubber(string? secret)
{
    public const string Mask = "[redacted]";

    public string Scrub(string text) =>
        string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(text) ? text : text.Replace(secret, Mask, StringComparison.Ordinal);
}
