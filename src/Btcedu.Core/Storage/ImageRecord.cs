using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Storage;

/// <summary>
/// What is kept about one image beside its file: the metadata of its media_assets row. One record, written by the
/// image stage (ManifestEntries.Record) and parsed once where rows are read (<see cref="MediaAssetStore"/>). Its JSON
/// keys are the ones rows have always had, so rows written before this type read as they are.
/// </summary>
public sealed record ImageRecord
{
    public string? Prompt { get; init; }
    public string? RevisedPrompt { get; init; }
    public string? Model { get; init; }
    /// <summary>The size of the file (1920x1080).</summary>
    public string? Size { get; init; }
    /// <summary>The size asked of the API.</summary>
    public string? RequestedSize { get; init; }
    /// <summary>The size the API delivered, before the crop.</summary>
    public string? SourceSize { get; init; }
    public string? Quality { get; init; }
    public decimal? CostUsd { get; init; }
    public bool CostEstimated { get; init; }
    public long? TextInputTokens { get; init; }
    public long? ImageInputTokens { get; init; }
    public long? OutputTokens { get; init; }
    public string? ChapterHash { get; init; }
    public int? Attempts { get; init; }
    /// <summary>The history version a restore brought back, when the image came from history.</summary>
    public int? RestoredFromVersion { get; init; }

    /// <summary>Text and image input tokens together; null when neither is known.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long? InputTokens => TextInputTokens is null && ImageInputTokens is null ? null : (TextInputTokens ?? 0) + (ImageInputTokens ?? 0);

    /// <summary>
    /// Reads a row's metadata. A row another tool wrote with other keys or types reads as far as it can: a value of the
    /// wrong type is left out rather than refusing the whole listing.
    /// </summary>
    public static ImageRecord Parse(string metadata)
    {
        try
        {
            return JsonSerializer.Deserialize<ImageRecord>(metadata, BtceduJson.Compact) ?? new ImageRecord();
        }
        catch (JsonException)
        {
            return Lenient(metadata);
        }
    }

    private static ImageRecord Lenient(string metadata)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(metadata);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new ImageRecord();
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new ImageRecord();
        }
        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        long? Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
        return new ImageRecord
        {
            Prompt = Text("prompt"),
            RevisedPrompt = Text("revised_prompt"),
            Model = Text("model"),
            Size = Text("size"),
            RequestedSize = Text("requested_size"),
            SourceSize = Text("source_size"),
            Quality = Text("quality"),
            CostUsd = root.TryGetProperty("cost_usd", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetDecimal(out var d) ? d : null,
            CostEstimated = root.TryGetProperty("cost_estimated", out var e) && e.ValueKind == JsonValueKind.True,
            TextInputTokens = Number("text_input_tokens"),
            ImageInputTokens = Number("image_input_tokens"),
            OutputTokens = Number("output_tokens"),
            ChapterHash = Text("chapter_hash"),
            Attempts = (int?)Number("attempts"),
            RestoredFromVersion = (int?)Number("restored_from_version"),
        };
    }
}
