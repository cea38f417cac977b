namespace Btcedu.Core.ImageGen;

/// <summary>
/// An earlier image of a chapter, kept in <c>images/history/{chapter_id}/v{Version}.png</c> with its manifest entry
/// (<c>v{Version}.json</c>): what it cost, which prompt and model made it, and for which chapter hash.
/// </summary>
public sealed record ImageVersion
{
    public required string EpisodeId { get; init; }
    public required string ChapterId { get; init; }
    public required int Version { get; init; }
    public required string Path { get; init; }
    public string? Prompt { get; init; }
    public string? Model { get; init; }
    public decimal CostUsd { get; init; }
    public DateTimeOffset? GeneratedAt { get; init; }
    public required DateTimeOffset ArchivedAt { get; init; }
    /// <summary>The chapter hash the image was made for; null when that is not known (it can then never count as up to date).</summary>
    public string? ChapterHash { get; init; }
    public required string PngSha256 { get; init; }
    /// <summary>The manifest entry the image had, which Restore-BtceduImage writes back.</summary>
    public required ManifestEntry Entry { get; init; }
}

/// <summary><c>v{N}.json</c> beside each kept PNG.</summary>
internal sealed record ImageVersionRecord(string ChapterId, int Version, string ArchivedAt, string PngSha256, ManifestEntry Entry);

/// <summary>What keeping the previous image did: the version it became (null when it was kept already or there was none) and the versions pruned.</summary>
public sealed record ImageArchive(int? Version, IReadOnlyList<int> Pruned);
