namespace Btcedu.Core.Tests.Fakes;

/// <summary>A request <see cref="FakeOpenAIServer"/> received; header names are case-insensitive.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    /// <summary>When the fake finished writing its answer (or gave up on a client that went away); null while in flight. The bench's API span.</summary>
    public DateTimeOffset? AnsweredAt { get; set; }

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
