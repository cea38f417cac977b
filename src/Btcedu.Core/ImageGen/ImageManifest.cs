using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary><c>images/manifest.json</c>: one entry per chapter of the document, in chapter order.</summary>
public sealed record ImageManifest(string EpisodeId, string SchemaVersion, string UpdatedAt, IReadOnlyList<ManifestEntry> Images)
{
    public const string CurrentSchemaVersion = "1.0";

    /// <summary>The manifest on disk, or null when there is none yet; an unreadable one is an InvalidData error.</summary>
    public static ImageManifest? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<ImageManifest>(File.ReadAllBytes(path), BtceduJson.Options)
                ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new BtceduException("InvalidImageManifest", BtceduErrorKind.InvalidData,
                $"The image manifest {path} is not readable ({e.Message}). Move it aside and run again with -Force to rebuild it.", path, e);
        }
    }
}

/// <summary>One chapter's line in the manifest. <see cref="Reason"/> says why a chapter was skipped or stopped.</summary>
public sealed record ManifestEntry
{
    public required string ChapterId { get; init; }
    public required string VisualType { get; init; }
    public required ImageStatus Status { get; init; }
    public string? Prompt { get; init; }
    public string? RevisedPrompt { get; init; }
    public string? Model { get; init; }
    public string? Size { get; init; }
    public string? SourceSize { get; init; }
    public string? Quality { get; init; }
    public string? FilePath { get; init; }
    public string? GeneratedAt { get; init; }
    public string? ChapterHash { get; init; }
    public decimal CostUsd { get; init; }
    /// <summary>Whether <see cref="CostUsd"/> includes estimates: no usage was reported, or an attempt timed out and may have been billed.</summary>
    public bool CostEstimated { get; init; }
    /// <summary>Prompt (text and image) tokens the image call reported.</summary>
    public long? InputTokens { get; init; }
    /// <summary>Image output tokens the image call reported.</summary>
    public long? OutputTokens { get; init; }
    public string? Error { get; init; }
    public string? Reason { get; init; }
    /// <summary>A failed chapter the provider's moderation blocked: its stage (input, output) and categories.</summary>
    public Btcedu.Core.OpenAi.ModerationDetails? Moderation { get; init; }
}
