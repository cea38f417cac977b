using Btcedu.Core.Chapters;
using Btcedu.Core.Imaging;
using Btcedu.Core.OpenAi;

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
    /// <summary>For a failed chapter, how its call ended (ContentPolicyRejected, RateLimited, TimedOut, …); null otherwise.</summary>
    public ApiOutcome? Outcome { get; init; }

    /// <summary>
    /// For a failed chapter, the error a script sees beside this result (ImageGenerationFailed, with the provider's
    /// reason, and this result as its target); null otherwise.
    /// </summary>
    public BtceduException? Failure() => Status != ImageStatus.Failed ? null
        : new BtceduException("ImageGenerationFailed", Outcome switch
        {
            ApiOutcome.ContentPolicyRejected => BtceduErrorKind.InvalidData,
            ApiOutcome.RateLimited => BtceduErrorKind.LimitsExceeded,
            ApiOutcome.TimedOut => BtceduErrorKind.OperationTimeout,
            _ => BtceduErrorKind.InvalidResult,
        }, $"Episode '{EpisodeId}', chapter {ChapterId}: no image was generated. {Error?.TrimEnd('.')}. Fix the cause, then run again to retry the chapter.", this);
}
