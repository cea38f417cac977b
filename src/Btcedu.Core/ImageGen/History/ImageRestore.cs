namespace Btcedu.Core.ImageGen;

/// <summary>
/// What Restore-BtceduImage did. <see cref="UpToDate"/> is true when the image was made for the chapter's current
/// hash: the next run keeps it and pays nothing. An image made for an earlier version of the chapter (or whose hash
/// is not known) is restored as it was, hash included, so the next run replaces it, and keeps it in history again.
/// </summary>
public sealed record ImageRestore
{
    public required string EpisodeId { get; init; }
    public required string ChapterId { get; init; }
    public required int Version { get; init; }
    public required string Path { get; init; }
    public required bool UpToDate { get; init; }
    /// <summary>The history version the replaced image became, or null when there was none (or it was kept already).</summary>
    public int? ReplacedKeptAs { get; init; }
    public required IReadOnlyList<int> Pruned { get; init; }
    public required IReadOnlyList<string> StaleMarkers { get; init; }
}
