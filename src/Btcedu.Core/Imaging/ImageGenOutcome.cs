namespace Btcedu.Core.Imaging;

/// <summary>How an image request ended. Everything but <see cref="Succeeded"/> leaves <see cref="ImageGenResult.Png"/> null.</summary>
public enum ImageGenOutcome
{
    Succeeded,
    /// <summary>The provider's safety system refused the prompt; retrying the same prompt will not help.</summary>
    ContentPolicyRejected,
    /// <summary>Still rate limited (HTTP 429) after every retry.</summary>
    RateLimited,
    /// <summary>The per-attempt timeouts or the overall deadline ran out.</summary>
    TimedOut,
    /// <summary>Anything else: auth, unknown model, server errors after retries, an undecodable image.</summary>
    Failed,
}
