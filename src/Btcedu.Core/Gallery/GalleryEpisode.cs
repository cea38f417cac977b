using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;

namespace Btcedu.Core.Gallery;

/// <summary>What an episode page shows, read from the workspace: the episode, its chapters in order and their images.</summary>
internal sealed record GalleryEpisode(
    Episode Episode,
    string? DocumentTitle,
    IReadOnlyList<GalleryCard> Cards,
    StaleMarker? ChaptersStale,
    PipelineRun? LastRun,
    IReadOnlyList<GallerySource> Files)
{
    public string Id => Episode.Id;

    public decimal TotalCostUsd => Cards.Sum(c => c.Entry?.CostUsd ?? 0m);

    /// <summary>Chapters per status as the cards show it, in the order of <see cref="GalleryCard.Statuses"/>.</summary>
    public IEnumerable<(string Status, int Count)> Counts() =>
        GalleryCard.Statuses.Select(s => (s, Cards.Count(c => c.Status == s))).Where(x => x.Item2 > 0);
}

/// <summary>One chapter's card: its manifest entry (null before any run), its image, marker and earlier versions.</summary>
internal sealed record GalleryCard(Chapter Chapter, ManifestEntry? Entry, string? ImagePath, StaleMarker? Stale, IReadOnlyList<ImageVersion> History)
{
    /// <summary>The statuses a card can have, as the filter lists them; pending means no run has decided the chapter yet.</summary>
    public static readonly string[] Statuses = ["generated", "unchanged", "skipped", "failed", "cost_limited", "pending"];

    public string Status => Entry?.Status switch
    {
        ImageStatus.Generated => "generated",
        ImageStatus.Unchanged => "unchanged",
        ImageStatus.Skipped => "skipped",
        ImageStatus.Failed => "failed",
        ImageStatus.CostLimited => "cost_limited",
        _ => "pending",
    };

    public static string Label(string status) => status switch
    {
        "cost_limited" => "cost-limited",
        _ => status,
    };
}

/// <summary>A workspace file the gallery copies (chapters.json, the manifest, provenance) and the name it gets there.</summary>
internal sealed record GallerySource(string Path, string Name, string Label);
