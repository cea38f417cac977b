namespace Btcedu.Core.OpenAi;

/// <summary>
/// How a call to the API ended, for the image and the text service alike. Everything but <see cref="Succeeded"/>
/// leaves the result without an image or text. A failed chapter carries it as a value
/// (<c>ImageGenChapterResult.Outcome</c>): nothing reads it back from a message.
/// </summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum ApiOutcome
{
    Succeeded,
    /// <summary>The provider's safety system refused the prompt (or cut the answer off); retrying the same prompt will not help.</summary>
    ContentPolicyRejected,
    /// <summary>Still rate limited (HTTP 429) after every retry.</summary>
    RateLimited,
    /// <summary>The per-attempt timeouts or the overall deadline ran out.</summary>
    TimedOut,
    /// <summary>HTTP 401/403: the key is wrong or may not use the model. No other call can succeed: the run stops.</summary>
    KeyRejected,
    /// <summary>No credit, or a spend or usage limit reached. A quota, not a rate limit: the run stops.</summary>
    QuotaExhausted,
    /// <summary>HTTP 404 (model_not_found): the endpoint does not serve the model. The run stops.</summary>
    ModelUnavailable,
    /// <summary>Anything else: server errors after retries, a bad request, an undecodable image, a file not written.</summary>
    Failed,
}
