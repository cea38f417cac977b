namespace Btcedu.Core.OpenAi;

/// <summary>What went wrong with an API call, in the terms the retry policy and the outcomes care about.</summary>
internal enum ApiFailureKind
{
    RateLimited,
    QuotaExhausted,
    ServerError,
    Network,
    TimedOut,
    ContentPolicy,
    Unauthorized,
    Forbidden,
    NotFound,
    BadRequest,
    BadResponse,
}
