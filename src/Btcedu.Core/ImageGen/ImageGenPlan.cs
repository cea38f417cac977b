using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.Imaging;
using Btcedu.Core.Prompts;

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
public sealed record PlannedChapter(Chapter Chapter, ChapterDecision Decision, string Reason, string ChapterHash, ManifestEntry? Previous, decimal EstimatedCostUsd, bool InScope);

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
    public required decimal SpentBeforeUsd { get; init; }
    public required decimal MaxCostUsd { get; init; }
    public required int ThrottleLimit { get; init; }

    public IEnumerable<PlannedChapter> ToGenerate => Items.Where(i => i.Decision == ChapterDecision.Generate);
    public decimal EstimatedCostUsd => ToGenerate.Sum(i => i.EstimatedCostUsd);
}
