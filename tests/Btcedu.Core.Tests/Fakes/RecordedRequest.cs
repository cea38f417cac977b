namespace Btcedu.Core.Tests.Fakes;

/// <summary>A request <see cref="FakeOpenAIServer"/> received; header names are case-insensitive.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
