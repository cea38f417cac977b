using Btcedu.Core.Chapters;
using Btcedu.Core.Imaging;

namespace Btcedu.Core.ImageGen;

/// <summary>What a run did with one chapter: the cmdlet's output object.</summary>
public sealed record ImageGenChapterResult
{
    public required string EpisodeId { get; init; }
    public required string ChapterId { get; init; }
    public required int Order { get; init; }
    public required VisualType VisualType { get; init; }
    public required ImageStatus Status { get; init; }
    public decimal CostUsd { get; init; }
    /// <summary>The image file, when the chapter has one.</summary>
    public string? Path { get; init; }
    public string? Error { get; init; }
    public string? Reason { get; init; }
    public int Attempts { get; init; }

    /// <summary>
    /// For a failed chapter, the error a script sees beside this result (ImageGenerationFailed, with the provider's
    /// reason, and this result as its target); null otherwise.
    /// </summary>
    public BtceduException? Failure() => Status != ImageStatus.Failed ? null
        : new BtceduException("ImageGenerationFailed", FailureKind(Error),
            $"Episode '{EpisodeId}', chapter {ChapterId}: no image was generated. {Error?.TrimEnd('.')}. Fix the cause, then run again to retry the chapter.", this);

    // The stage starts an API failure's Error with the provider's outcome ("RateLimited: …").
    private static BtceduErrorKind FailureKind(string? error) =>
        Enum.TryParse<ImageGenOutcome>(error?.Split(':', 2)[0], ignoreCase: false, out var outcome) ? outcome switch
        {
            ImageGenOutcome.ContentPolicyRejected => BtceduErrorKind.InvalidData,
            ImageGenOutcome.RateLimited => BtceduErrorKind.LimitsExceeded,
            ImageGenOutcome.TimedOut => BtceduErrorKind.OperationTimeout,
            _ => BtceduErrorKind.InvalidResult,
        } : BtceduErrorKind.InvalidResult;
}
