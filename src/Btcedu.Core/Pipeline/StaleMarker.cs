using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;
using Btcedu.Core.Episodes;

namespace Btcedu.Core.Pipeline;

/// <summary>
/// The content of <c>&lt;output&gt;.stale</c>: the output beside it no longer matches its inputs.
/// Markers never delete outputs; the stage that regenerates the output clears its marker.
/// </summary>
public sealed record StaleMarker(string InvalidatedBy, string InvalidatedAt, string Reason)
{
    public const string Suffix = ".stale";

    /// <summary>What a marker whose content cannot be read says: it still means stale.</summary>
    public const string UnreadableBy = "unknown";

    public static string PathFor(string output) => output + Suffix;

    public static void Write(string output, Stage invalidatedBy, string reason, DateTimeOffset at) =>
        BtceduJson.Write(PathFor(output), new StaleMarker(invalidatedBy.ToString(), Timestamps.Format(at), reason));

    /// <summary>The marker beside <paramref name="output"/>, or null; one that cannot be read still means stale.</summary>
    public static StaleMarker? Read(string output) => ReadFile(PathFor(output));

    /// <summary>The marker file's content; one that is not JSON, lacks a field or cannot be opened is <see cref="IsUnreadable"/>.</summary>
    public static StaleMarker? ReadFile(string markerPath)
    {
        if (!File.Exists(markerPath))
        {
            return null;
        }
        try
        {
            var marker = System.Text.Json.JsonSerializer.Deserialize<StaleMarker>(File.ReadAllBytes(markerPath), BtceduJson.Options);
            return marker is { InvalidatedBy: not null, InvalidatedAt: not null, Reason: not null } ? marker : Unreadable;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return Unreadable;
        }
    }

    public bool IsUnreadable => ReferenceEquals(this, Unreadable);

    private static readonly StaleMarker Unreadable = new(UnreadableBy, "", "unreadable marker");

    public static bool Clear(string output) => ClearFile(PathFor(output));

    public static bool ClearFile(string markerPath)
    {
        if (!File.Exists(markerPath))
        {
            return false;
        }
        File.Delete(markerPath);
        return true;
    }
}
