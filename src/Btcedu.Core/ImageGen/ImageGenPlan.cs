using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.Imaging;
using Btcedu.Core.Models;
using Btcedu.Core.Prompts;
using Btcedu.Core.Storage;

namespace Btcedu.Core.ImageGen;

public enum ChapterDecision
{
    /// <summary>Its visual type comes from brand templates (title_card, talking_head).</summary>
    Skip,
    /// <summary>Its image exists, no stale marker applies and its hash matches the manifest.</summary>
    UpToDate,
    /// <summary>Outside this run's selection; its manifest entry is carried over.</summary>
    NotSelected,
    Generate,
}

/// <summary>
/// One chapter's decision, with the reason and the hash its image must match. Chapters outside a
/// -ChapterId or piped selection are <see cref="ChapterDecision.NotSelected"/> (or Skip) and not InScope:
/// the run keeps their manifest entries but reports nothing about them.
/// </summary>
public sealed record PlannedChapter(Chapter Chapter, ChapterDecision Decision, string Reason, string ChapterHash, ManifestEntry? Previous, decimal EstimatedCostUsd, bool InScope)
{
    /// <summary>
    /// The prompt an earlier attempt sent for this very chapter, template and settings (same hash): a retry reuses
    /// it instead of paying the LLM again.
    /// </summary>
    public string? ReusablePrompt => Chapter.ImagePrompt is null && Previous is { Prompt: { Length: > 0 } prompt } && Previous.ChapterHash == ChapterHash ? prompt : null;

    /// <summary>
    /// A delivery journaled by a run killed before it recorded the image, made for this chapter hash, whose PNG is
    /// on disk (<see cref="DeliveryJournal"/>). A chapter to generate adopts it instead of paying again; a chapter
    /// outside the selection keeps it for a later run.
    /// </summary>
    public ImageDelivery? JournaledDelivery { get; init; }

    /// <summary>Whether the run adopts <see cref="JournaledDelivery"/> rather than calling the API.</summary>
    public bool Adopts => Decision == ChapterDecision.Generate && JournaledDelivery is not null;

    /// <summary>Whether generating this chapter calls the LLM to write its prompt.</summary>
    public bool NeedsLlm => !Adopts && Chapter.ImagePrompt is null && ReusablePrompt is null;
}

/// <summary>What a run would do, decided before anything is called or written (so -WhatIf can show it).</summary>
public sealed record ImageGenPlan
{
    public required Episode Episode { get; init; }
    public required ChapterDocumentFile Chapters { get; init; }
    public required PromptTemplate Template { get; init; }
    public required PromptVersion PromptVersion { get; init; }
    public required ImageRequestProfile Profile { get; init; }
    public required IReadOnlyList<PlannedChapter> Items { get; init; }
    /// <summary>The manifest the decisions were made from; null when there was none.</summary>
    public required ImageManifest? Manifest { get; init; }
    /// <summary>The LLM that writes prompts, when a chapter to generate needs one.</summary>
    public LlmModel? Llm { get; init; }
    /// <summary>Lifecycle warnings about the configured models, to show once (also under -WhatIf).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>image_rate_limit_per_minute, when calls are paced.</summary>
    public int? RatePerMinute { get; init; }
    public required decimal SpentBeforeUsd { get; init; }
    public required decimal MaxCostUsd { get; init; }
    public required int ThrottleLimit { get; init; }

    public IEnumerable<PlannedChapter> ToGenerate => Items.Where(i => i.Decision == ChapterDecision.Generate);
    public decimal EstimatedCostUsd => ToGenerate.Sum(i => i.EstimatedCostUsd);

    /// <summary>The least time the pace allows for the image calls (the first call starts at once); null when unpaced.</summary>
    public TimeSpan? PacedDuration => RatePerMinute is { } n && ToGenerate.Count() is var calls and > 0
        ? TimeSpan.FromMinutes((double)((calls - 1) / n))
        : null;
}
