using Btcedu.Core.Episodes;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Pipeline;

/// <summary>
/// A marker on disk, as Get-BtceduStale lists it: the stage whose output it sits beside, the output (relative to the
/// episode folder), the marker's absolute path and content. A marker that cannot be read is listed with
/// <see cref="Readable"/> false (InvalidatedBy "unknown"): it still counts as stale.
/// </summary>
public sealed record StaleMarkerInfo
{
    public required string EpisodeId { get; init; }
    public required Stage Stage { get; init; }
    public required string Output { get; init; }
    public required string Path { get; init; }
    public required string InvalidatedBy { get; init; }
    public DateTimeOffset? InvalidatedAt { get; init; }
    public required string Reason { get; init; }
    public required bool Readable { get; init; }

    public static StaleMarkerInfo Read(WorkspacePaths paths, string episodeId, Stage stage, string markerPath)
    {
        var marker = StaleMarker.ReadFile(markerPath) ?? throw new FileNotFoundException("The marker has gone.", markerPath);
        DateTimeOffset? at = null;
        if (!marker.IsUnreadable)
        {
            try
            {
                at = Timestamps.Parse(marker.InvalidatedAt);
            }
            catch (FormatException)
            {
                // Only the time is unreadable; the marker still says who and why.
            }
        }
        return new StaleMarkerInfo
        {
            EpisodeId = episodeId,
            Stage = stage,
            Output = paths.RelativeToEpisode(episodeId, markerPath[..^StaleMarker.Suffix.Length]),
            Path = markerPath,
            InvalidatedBy = marker.InvalidatedBy,
            InvalidatedAt = at,
            Reason = marker.Reason,
            Readable = !marker.IsUnreadable,
        };
    }
}
