namespace Btcedu.Core.Storage;

/// <summary>
/// A row of <c>image_deliveries</c>, the delivery journal: one paid image call, recorded before it is made and
/// completed when its answer arrives (<see cref="AnswerSha256"/>, the image as delivered) and again when its PNG is
/// made (<see cref="PngSha256"/> and the rest), until a manifest write records it.
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
    /// <summary>The SHA-256 of the image as the API delivered it, saved before the local stage decodes it.</summary>
    public string? AnswerSha256 { get; init; }
    /// <summary>What the call answered besides the image (prompt, usage, price), as JSON.</summary>
    public string? Answer { get; init; }

    public bool Delivered => PngSha256 is not null && Entry is not null && Asset is not null;

    /// <summary>Whether the API's answer was saved (it may not be decoded, placed or recorded yet).</summary>
    public bool Answered => AnswerSha256 is not null && Answer is not null;
}
