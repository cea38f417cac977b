namespace Btcedu.Core.OpenAi;

/// <summary>
/// Tuning for the OpenAI services' resilience. The defaults suit the real API; tests shrink the delays and
/// timeouts so that every failure path runs in milliseconds.
/// </summary>
public sealed record OpenAIServiceOptions
{
    /// <summary>Retries after the first attempt (429, 5xx, network errors, per-attempt timeouts).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Median first backoff; later ones grow exponentially, with jitter so parallel calls spread out.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Cap on any single wait, Retry-After included, so a hostile header cannot park a run.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-attempt timeout; null uses settings' image_timeout_seconds.</summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>Deadline over all attempts and waits; null allows every attempt its full timeout plus the maximum waits.</summary>
    public TimeSpan? OverallTimeout { get; init; }

    /// <summary>Timeout for fetching an image the API answered with a URL.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The window image_rate_limit_per_minute counts in: a minute; tests shrink it so a paced run takes seconds.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Largest image accepted, downloaded or base64-decoded.</summary>
    public long MaxImageBytes { get; init; } = 25L * 1024 * 1024;

    internal void Validate()
    {
        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries must be between 0 and 10.");
        }
        Positive(BaseDelay, nameof(BaseDelay));
        Positive(MaxDelay, nameof(MaxDelay));
        Positive(DownloadTimeout, nameof(DownloadTimeout));
        Positive(RateWindow, nameof(RateWindow));
        if (AttemptTimeout is { } a)
        {
            Positive(a, nameof(AttemptTimeout));
        }
        if (OverallTimeout is { } o)
        {
            Positive(o, nameof(OverallTimeout));
        }
        if (MaxImageBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxImageBytes), MaxImageBytes, "MaxImageBytes must be positive.");
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }
}
