namespace Btcedu.Core.Models;

/// <summary>What an image call consumed, as the API's <c>usage</c> reports it.</summary>
public sealed record ImageTokenUsage(long TextInputTokens, long ImageInputTokens, long OutputTokens)
{
    public long InputTokens => TextInputTokens + ImageInputTokens;
}
