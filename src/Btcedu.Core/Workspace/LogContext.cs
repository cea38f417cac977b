namespace Btcedu.Core.Workspace;

/// <summary>
/// What a log line is about, flowing with the async work that writes it: a chapter job begins a scope naming its
/// episode and chapter, and every line written inside it (a retry deep in the OpenAI connection, a pause, a
/// failure) carries that name, with no logger handed down the calls. Concurrent chapters each see their own.
/// </summary>
public static class LogContext
{
    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The subject of the current scope ("ep1/ch04"), or null outside any scope.</summary>
    public static string? Subject => Current.Value;

    /// <summary>Names the subject of every line written until the returned scope is disposed.</summary>
    public static IDisposable Begin(string subject)
    {
        var previous = Current.Value;
        Current.Value = subject;
        return new Scope(previous);
    }

    /// <summary>The line prefixed with the current subject ("ep1/ch04: image: …"), or unchanged outside any scope.</summary>
    public static string Name(string line) => Current.Value is { } subject ? $"{subject}: {line}" : line;

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
