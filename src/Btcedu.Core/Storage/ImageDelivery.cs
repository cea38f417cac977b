namespace Btcedu.Core.Storage;

/// <summary>
/// A row of <c>image_deliveries</c>, the delivery journal: one paid image call, recorded before it is made and
/// completed (<see cref="PngSha256"/> and the rest) when its image arrives, until the manifest records it.
/// <see cref="Entry"/> and <see cref="Asset"/> are the manifest entry and media_assets row, as JSON, that the run
/// was about to write.
/// </summary>
public sealed record ImageDelivery
{
    public required long Id { get; init; }
    public required long RunId { get; init; }
    public required string EpisodeId { get; init; }
    public required string ChapterId { get; init; }
    public required string ChapterHash { get; init; }
    public required decimal ReservedUsd { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    /// <summary>Null while the call was in flight: nothing was delivered.</summary>
    public string? PngSha256 { get; init; }
    public decimal? CostUsd { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public string? Entry { get; init; }
    public string? Asset { get; init; }

    public bool Delivered => PngSha256 is not null && Entry is not null && Asset is not null;
}
