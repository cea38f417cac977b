namespace Btcedu.Core.Llm;

/// <summary>How a text request ended; the same vocabulary as the image service's outcomes.</summary>
public enum TextGenOutcome
{
    Succeeded,
    /// <summary>The provider's content filter refused the request or cut the answer off.</summary>
    ContentPolicyRejected,
    RateLimited,
    TimedOut,
    /// <summary>HTTP 401/403: the run stops.</summary>
    KeyRejected,
    /// <summary>HTTP 429 insufficient_quota: the run stops.</summary>
    QuotaExhausted,
    /// <summary>HTTP 404: the endpoint does not serve the model; the run stops.</summary>
    ModelUnavailable,
    Failed,
}
