using System.Globalization;
using System.Text.Json;
using Btcedu.Core.Chapters;
using Btcedu.Core.Imaging;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The manifest entries (and the media_assets row) a run writes for a chapter, one factory per outcome. The entry
/// is the image's typed record; <see cref="Record"/> is the one place a row's metadata is built from it, and
/// <see cref="FromAsset"/> the one place an entry is rebuilt from a row.
/// </summary>
internal static class ManifestEntries
{
    public const string MimeType = "image/png";

    /// <summary>Where a chapter's image belongs, relative to the episode folder, with forward slashes on every OS.</summary>
    public static string FilePathOf(string chapterId) => $"images/{chapterId}.png";

    public static ManifestEntry Blank(Chapter chapter, ImageStatus status) => new()
    {
        ChapterId = chapter.ChapterId,
        ChapterTitle = chapter.Title,
        VisualType = chapter.VisualType.ToString(),
        Status = status,
        GenerationMethod = status == ImageStatus.Failed ? GenerationMethod.Failed : GenerationMethod.None,
        FilePath = FilePathOf(chapter.ChapterId),
        MimeType = MimeType,
    };

    public static ManifestEntry Blank(PlannedChapter item, ImageStatus status) => Blank(item.Chapter, status);

    /// <summary>Before the run: skipped chapters say why; kept images and chapters outside the selection carry their entry over untouched.</summary>
    public static ManifestEntry Initial(PlannedChapter item) => item.Decision switch
    {
        ChapterDecision.Skip when item.Card is { } card => card.Kept ?? Blank(item, ImageStatus.Skipped) with { Reason = item.Reason },
        ChapterDecision.Skip => Blank(item, ImageStatus.Skipped) with { Reason = item.Reason },
        _ when item.Previous is not null => item.Previous,
        _ => Blank(item, ImageStatus.Skipped) with { Reason = "no image yet: " + item.Reason },
    };

    public static ManifestEntry CostLimited(PlannedChapter item, decimal cap) => (item.Previous ?? Blank(item, ImageStatus.CostLimited)) with
    {
        Status = ImageStatus.CostLimited,
        Reason = string.Create(CultureInfo.InvariantCulture, $"the next call would pass the episode's cost cap of ${cap}"),
        Error = null,
        Moderation = null,
    };

    public static ManifestEntry Failed(PlannedChapter item, string? prompt, string error) => (item.Previous ?? Blank(item, ImageStatus.Failed)) with
    {
        Status = ImageStatus.Failed,
        Prompt = prompt ?? item.Previous?.Prompt,
        // The hash the prompt was written for, so a retry of this unchanged chapter reuses it.
        ChapterHash = prompt is null ? item.Previous?.ChapterHash : item.ChapterHash,
        Error = error,
        Reason = null,
        Moderation = null,
    };

    /// <summary>A call that was made but left no usable image: the prompt it sent and what the provider said.</summary>
    public static ManifestEntry FailedCall(PlannedChapter item, ImageGenRequest request, ImageGenResult result, string error) =>
        Failed(item, request.Prompt, error) with { RevisedPrompt = result.RevisedPrompt, CostEstimated = result.CostEstimated, Moderation = result.Moderation };

    /// <summary>A chapter whose file could not be written (a full disk, a folder in the way).</summary>
    public static ManifestEntry NotWritten(PlannedChapter item, Exception e) => Failed(item, null, $"Failed: could not write the image: {e.Message}");

    public static ManifestEntry Generated(PlannedChapter item, ImageGenRequest request, ImageGenResult result, NormalizedImage image, ImageRequestProfile profile, DateTimeOffset at, decimal cost) =>
        Blank(item, ImageStatus.Generated) with
        {
            GenerationMethod = GenerationMethod.Api,
            Prompt = request.Prompt,
            RevisedPrompt = result.RevisedPrompt,
            Model = profile.Model,
            Size = $"{ImageNormalizer.TargetWidth}x{ImageNormalizer.TargetHeight}",
            RequestedSize = profile.Size,
            SourceSize = image.SourceSize,
            Quality = profile.Quality,
            SizeBytes = image.Png.LongLength,
            GeneratedAt = Timestamps.Format(at),
            ChapterHash = item.ChapterHash,
            CostUsd = cost,
            CostEstimated = result.CostEstimated,
            InputTokens = result.InputTokens,
            TextInputTokens = result.Usage?.TextInputTokens,
            ImageInputTokens = result.Usage?.ImageInputTokens,
            OutputTokens = result.OutputTokens,
            Attempts = result.Attempts,
        };

    /// <summary>A brand card made locally for a title card or talking head: skipped by the API, no cost.</summary>
    public static ManifestEntry Card(PlannedChapter item, string cardHash, long sizeBytes, DateTimeOffset at) =>
        Blank(item, ImageStatus.Skipped) with
        {
            GenerationMethod = GenerationMethod.Template,
            Size = $"{ImageNormalizer.TargetWidth}x{ImageNormalizer.TargetHeight}",
            SizeBytes = sizeBytes,
            GeneratedAt = Timestamps.Format(at),
            ChapterHash = cardHash,
            Reason = item.Reason,
        };

    /// <summary>The media_assets metadata of an image: the entry's image fields, under the keys rows have always had.</summary>
    public static ImageRecord Record(ManifestEntry entry) => new()
    {
        Prompt = entry.Prompt,
        RevisedPrompt = entry.RevisedPrompt,
        Model = entry.Model,
        Size = entry.Size,
        RequestedSize = entry.RequestedSize,
        SourceSize = entry.SourceSize,
        Quality = entry.Quality,
        CostUsd = entry.CostUsd,
        CostEstimated = entry.CostEstimated,
        TextInputTokens = entry.TextInputTokens ?? (entry.ImageInputTokens is null ? entry.InputTokens : null),
        ImageInputTokens = entry.ImageInputTokens,
        OutputTokens = entry.OutputTokens,
        ChapterHash = entry.ChapterHash,
        Attempts = entry.Attempts,
        RestoredFromVersion = entry.RestoredFromVersion,
    };

    /// <summary>The entry of a recorded image, rebuilt from its media_assets row.</summary>
    public static ManifestEntry FromAsset(Chapter chapter, MediaAsset asset)
    {
        var r = asset.Record;
        return Blank(chapter, ImageStatus.Generated) with
        {
            GenerationMethod = GenerationMethod.Api,
            Prompt = r.Prompt,
            RevisedPrompt = r.RevisedPrompt,
            Model = r.Model,
            Size = r.Size,
            RequestedSize = r.RequestedSize,
            SourceSize = r.SourceSize,
            Quality = r.Quality,
            SizeBytes = asset.SizeBytes,
            GeneratedAt = Timestamps.Format(asset.CreatedAt),
            ChapterHash = r.ChapterHash,
            CostUsd = r.CostUsd ?? 0m,
            CostEstimated = r.CostEstimated,
            InputTokens = r.InputTokens,
            TextInputTokens = r.TextInputTokens,
            ImageInputTokens = r.ImageInputTokens,
            OutputTokens = r.OutputTokens,
            Attempts = r.Attempts,
            RestoredFromVersion = r.RestoredFromVersion,
        };
    }

    /// <summary>The media_assets row of an image; its metadata is the entry's record.</summary>
    public static NewMediaAsset Asset(string episodeId, ManifestEntry entry, long sizeBytes, long? promptVersionId) =>
        new(episodeId, entry.ChapterId, "image", entry.FilePath, MimeType, sizeBytes, Record(entry), promptVersionId);
}
