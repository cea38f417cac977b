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

    public static string PathFor(string output) => output + Suffix;

    public static void Write(string output, Stage invalidatedBy, string reason, DateTimeOffset at) =>
        BtceduJson.Write(PathFor(output), new StaleMarker(invalidatedBy.ToString(), Timestamps.Format(at), reason));

    /// <summary>The marker beside <paramref name="output"/>, or null; one that cannot be read still means stale.</summary>
    public static StaleMarker? Read(string output)
    {
        var path = PathFor(output);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<StaleMarker>(File.ReadAllBytes(path), BtceduJson.Options) ?? Unreadable;
        }
        catch (System.Text.Json.JsonException)
        {
            return Unreadable;
        }
    }

    private static readonly StaleMarker Unreadable = new("unknown", "", "unreadable marker");

    public static bool Clear(string output)
    {
        var marker = PathFor(output);
        if (!File.Exists(marker))
        {
            return false;
        }
        File.Delete(marker);
        return true;
    }
}
