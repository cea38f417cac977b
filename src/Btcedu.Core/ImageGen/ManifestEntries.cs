using System.Globalization;
using System.Text.Json;
using Btcedu.Core.Chapters;
using Btcedu.Core.Imaging;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>The manifest entries (and the media_assets row) a run writes for a chapter, one factory per outcome.</summary>
internal static class ManifestEntries
{
    public static ManifestEntry Blank(PlannedChapter item, ImageStatus status) =>
        new() { ChapterId = item.Chapter.ChapterId, VisualType = item.Chapter.VisualType.ToString(), Status = status };

    /// <summary>Before the run: skipped chapters say why; kept images and chapters outside the selection carry their entry over untouched.</summary>
    public static ManifestEntry Initial(PlannedChapter item) => item.Decision switch
    {
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

    public static ManifestEntry Generated(PlannedChapter item, ImageGenRequest request, ImageGenResult result, NormalizedImage image, ImageRequestProfile profile, string filePath, DateTimeOffset at, decimal cost) => new()
    {
        ChapterId = item.Chapter.ChapterId,
        VisualType = item.Chapter.VisualType.ToString(),
        Status = ImageStatus.Generated,
        Prompt = request.Prompt,
        RevisedPrompt = result.RevisedPrompt,
        Model = profile.Model,
        Size = $"{ImageNormalizer.TargetWidth}x{ImageNormalizer.TargetHeight}",
        SourceSize = image.SourceSize,
        Quality = profile.Quality,
        FilePath = filePath,
        GeneratedAt = Timestamps.Format(at),
        ChapterHash = item.ChapterHash,
        CostUsd = cost,
        CostEstimated = result.CostEstimated,
        InputTokens = result.InputTokens,
        OutputTokens = result.OutputTokens,
    };

    /// <summary>The entry of a recorded image, rebuilt from its media_assets row (whose metadata repeats the entry).</summary>
    public static ManifestEntry FromAsset(Chapter chapter, MediaAsset asset)
    {
        using var doc = JsonDocument.Parse(asset.Metadata);
        var m = doc.RootElement;
        string? Text(string name) => m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        long? Number(string name) => m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
        var input = Number("text_input_tokens") is { } text ? text + (Number("image_input_tokens") ?? 0) : (long?)null;
        return new ManifestEntry
        {
            ChapterId = chapter.ChapterId,
            VisualType = chapter.VisualType.ToString(),
            Status = ImageStatus.Generated,
            Prompt = Text("prompt") ?? asset.Prompt,
            RevisedPrompt = Text("revised_prompt"),
            Model = Text("model") ?? asset.Model,
            Size = Text("size"),
            SourceSize = Text("source_size"),
            Quality = Text("quality"),
            FilePath = asset.FilePath,
            GeneratedAt = Timestamps.Format(asset.CreatedAt),
            ChapterHash = asset.ChapterHash,
            CostUsd = asset.CostUsd ?? 0m,
            CostEstimated = m.TryGetProperty("cost_estimated", out var e) && e.ValueKind == JsonValueKind.True,
            InputTokens = input,
            OutputTokens = Number("output_tokens"),
        };
    }

    /// <summary>The media_assets row of a generated image; its metadata repeats the entry and adds what only the database keeps.</summary>
    public static NewMediaAsset Asset(string episodeId, PlannedChapter item, ManifestEntry entry, ImageGenResult result, NormalizedImage image, ImageRequestProfile profile, long? promptVersionId) =>
        new(episodeId, item.Chapter.ChapterId, "image", entry.FilePath!, "image/png", image.Png.LongLength,
            new Dictionary<string, object?>
            {
                ["prompt"] = entry.Prompt,
                ["revised_prompt"] = entry.RevisedPrompt,
                ["model"] = entry.Model,
                ["size"] = entry.Size,
                ["requested_size"] = profile.Size,
                ["source_size"] = entry.SourceSize,
                ["quality"] = entry.Quality,
                ["cost_usd"] = entry.CostUsd,
                ["cost_estimated"] = result.CostEstimated,
                ["text_input_tokens"] = result.Usage?.TextInputTokens,
                ["image_input_tokens"] = result.Usage?.ImageInputTokens,
                ["output_tokens"] = result.OutputTokens,
                ["chapter_hash"] = entry.ChapterHash,
                ["attempts"] = result.Attempts,
            },
            promptVersionId);
}
