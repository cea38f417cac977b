namespace Btcedu.Core.OpenAi;

/// <summary>Either the API's value or the failure that ended the call, with the attempts made.</summary>
internal readonly record struct ApiCallResult<T>(T? Value, ApiFailure? Failure, int Attempts) where T : class;
