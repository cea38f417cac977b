namespace Btcedu.Core.Imaging;

/// <summary>How an image request ended. Everything but <see cref="Succeeded"/> leaves <see cref="ImageGenResult.Image"/> null.</summary>
public enum ImageGenOutcome
{
    Succeeded,
    /// <summary>The provider's safety system refused the prompt; retrying the same prompt will not help.</summary>
    ContentPolicyRejected,
    /// <summary>Still rate limited (HTTP 429) after every retry.</summary>
    RateLimited,
    /// <summary>The per-attempt timeouts or the overall deadline ran out.</summary>
    TimedOut,
    /// <summary>HTTP 401/403: the key is wrong or may not use the model. No other call can succeed: the run stops.</summary>
    KeyRejected,
    /// <summary>HTTP 429 insufficient_quota: the account has no credit. A quota, not a rate limit: the run stops.</summary>
    QuotaExhausted,
    /// <summary>HTTP 404 (model_not_found): the endpoint does not serve the model. The run stops.</summary>
    ModelUnavailable,
    /// <summary>Anything else: server errors after retries, a bad request, an undecodable image.</summary>
    Failed,
}
