namespace Btcedu.Core.OpenAi;

/// <summary>
/// Either the API's value or the failure that ended the call, with the attempts made and how many of them timed
/// out on our side (the provider may still have completed and billed those).
/// </summary>
internal readonly record struct ApiCallResult<T>(T? Value, ApiFailure? Failure, int Attempts, int TimedOutAttempts) where T : class;
