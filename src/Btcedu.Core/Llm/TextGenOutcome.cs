namespace Btcedu.Core.Llm;

/// <summary>How a text request ended; the same vocabulary as the image service's outcomes.</summary>
public enum TextGenOutcome
{
    Succeeded,
    /// <summary>The provider's content filter refused the request or cut the answer off.</summary>
    ContentPolicyRejected,
    RateLimited,
    TimedOut,
    Failed,
}
