using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Pipeline;

/// <summary>
/// The content of <c>&lt;output&gt;.stale</c>: the output beside it no longer matches its inputs.
/// Markers never delete outputs; the stage that regenerates the output clears its marker.
/// </summary>
public sealed record StaleMarker(string InvalidatedBy, string InvalidatedAt, string Reason)
{
    public const string Suffix = ".stale";

    public static string PathFor(string output) => output + Suffix;

    public static bool Exists(string output) => File.Exists(PathFor(output));

    public static void Write(string output, Stage invalidatedBy, string reason, DateTimeOffset at) =>
        BtceduJson.Write(PathFor(output), new StaleMarker(invalidatedBy.ToString(), Timestamps.Format(at), reason));

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
