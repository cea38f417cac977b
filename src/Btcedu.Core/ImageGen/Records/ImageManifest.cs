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

/// <summary>
/// One chapter's line in the manifest, and the typed record of its image: every image-related field here is also
/// what its media_assets row keeps (<see cref="Storage.ImageRecord"/>), so a history version or a restore carries
/// all of it. <see cref="FilePath"/> always names where the chapter's image belongs; <see cref="Status"/> says
/// whether it is there. <see cref="Reason"/> says why a chapter was skipped or stopped.
/// </summary>
public sealed record ManifestEntry
{
    public required string ChapterId { get; init; }
    /// <summary>The chapter's title, as the chapter document has it now.</summary>
    public string? ChapterTitle { get; init; }
    public required string VisualType { get; init; }
    public required ImageStatus Status { get; init; }
    /// <summary>How the file at <see cref="FilePath"/> was made; null only in manifests written before this field.</summary>
    public GenerationMethod? GenerationMethod { get; init; }
    public string? Prompt { get; init; }
    public string? RevisedPrompt { get; init; }
    public string? Model { get; init; }
    public string? Size { get; init; }
    /// <summary>The size asked of the API.</summary>
    public string? RequestedSize { get; init; }
    public string? SourceSize { get; init; }
    public string? Quality { get; init; }
    /// <summary><c>images/{chapter_id}.png</c>, relative to the episode folder, with forward slashes; never null in a manifest this module writes.</summary>
    public string FilePath { get; init; } = "";
    public string? MimeType { get; init; }
    /// <summary>The file's size; null when there is no file.</summary>
    public long? SizeBytes { get; init; }
    public string? GeneratedAt { get; init; }
    public string? ChapterHash { get; init; }
    public decimal CostUsd { get; init; }
    /// <summary>Whether <see cref="CostUsd"/> includes estimates: no usage was reported, or an attempt timed out and may have been billed.</summary>
    public bool CostEstimated { get; init; }
    /// <summary>Prompt (text and image) tokens the image call reported.</summary>
    public long? InputTokens { get; init; }
    public long? TextInputTokens { get; init; }
    public long? ImageInputTokens { get; init; }
    /// <summary>Image output tokens the image call reported.</summary>
    public long? OutputTokens { get; init; }
    /// <summary>The calls made for the image (retries included).</summary>
    public int? Attempts { get; init; }
    /// <summary>The history version a restore brought back.</summary>
    public int? RestoredFromVersion { get; init; }
    public string? Error { get; init; }
    public string? Reason { get; init; }
    /// <summary>A failed chapter the provider's moderation blocked: its stage (input, output) and categories.</summary>
    public Btcedu.Core.OpenAi.ModerationDetails? Moderation { get; init; }
}

/// <summary>How a chapter's image was made; the manifest spells these api, template, failed, none.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum GenerationMethod
{
    /// <summary>The image API made it (the entry's model says which).</summary>
    Api,
    /// <summary>A brand card made locally for a title card or talking head: no call, no cost.</summary>
    Template,
    /// <summary>The chapter failed and has no image.</summary>
    Failed,
    /// <summary>No image yet (not generated so far, cost-limited, or brand cards turned off).</summary>
    None,
}
