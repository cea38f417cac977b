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
    /// <summary>An open batch is making its image (for the same hash): left alone until the batch is collected.</summary>
    Pending,
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
    public JournaledImage? Journaled { get; init; }

    /// <summary>The brand card of a skipped title card or talking head; null for other chapters or when brand_cards is off.</summary>
    public CardPlan? Card { get; init; }

    /// <summary>The prompt a batch sent for this chapter, when the run collects that batch: no prompt is written again.</summary>
    public string? BatchPrompt { get; init; }

    /// <summary>Whether the run adopts <see cref="Journaled"/> rather than calling the API.</summary>
    public bool Adopts => Decision == ChapterDecision.Generate && Journaled is not null;

    /// <summary>Whether generating this chapter calls the LLM to write its prompt.</summary>
    public bool NeedsLlm => !Adopts && BatchPrompt is null && Chapter.ImagePrompt is null && ReusablePrompt is null;
}

/// <summary>
/// A brand card for a title card or talking head: its hash (drawing version, layout, title, template), the template it
/// is drawn on (null: a plain card), and the entry of the card on disk when that one is still right.
/// </summary>
public sealed record CardPlan(string Hash, CardLayout Layout, byte[]? Template, ManifestEntry? Kept)
{
    /// <summary>Whether the run makes the card (it is missing, or its title or template changed).</summary>
    public bool Due => Kept is null;
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
    /// <summary>Chapters an open batch is making: a run leaves them alone.</summary>
    public IEnumerable<PlannedChapter> Pending => Items.Where(i => i.Decision == ChapterDecision.Pending);
    public decimal EstimatedCostUsd => ToGenerate.Sum(i => i.EstimatedCostUsd);

    /// <summary>How many of the chapters to generate fit, in order, under what the cap leaves.</summary>
    public int ChaptersThatFit
    {
        get
        {
            var room = MaxCostUsd - SpentBeforeUsd;
            var fits = 0;
            foreach (var item in ToGenerate)
            {
                if (item.EstimatedCostUsd > room)
                {
                    break;
                }
                room -= item.EstimatedCostUsd;
                fits++;
            }
            return fits;
        }
    }

    /// <summary>What a dry run shows: the model and shape, the estimate against the cap, the pace and each chapter's reason and price.</summary>
    public string Describe()
    {
        var text = new System.Text.StringBuilder();
        var todo = ToGenerate.ToList();
        var tokens = Profile.ExpectedOutputTokens is { } t ? Invariant($", about {t} output tokens per image ({EstimateFrom(Profile)})") : "";
        text.Append(Invariant($"Episode '{Episode.Id}': generate {todo.Count} of {Items.Count} chapter image(s) with {Profile.Model} {Profile.Size} {Profile.Quality} (cropped to 1920x1080){tokens}{(Profile.BatchPriced ? " through the Batch API, at its prices" : "")}, estimated {Usd(EstimatedCostUsd)} (spent so far {Usd(SpentBeforeUsd)}, cap {Usd(MaxCostUsd)})."));
        if (PacedDuration is { } paced)
        {
            text.AppendLine().Append(Invariant($"  Paced at {RatePerMinute} image(s) per minute: at least {paced.TotalMinutes:0.#} minute(s) for the calls, plus the API's own time."));
        }
        if (ChaptersThatFit < todo.Count)
        {
            text.AppendLine().Append(Invariant($"  The cap leaves {Usd(Math.Max(0, MaxCostUsd - SpentBeforeUsd))}: about {ChaptersThatFit} of them fit; the rest would be cost-limited."));
        }
        foreach (var item in todo)
        {
            text.AppendLine().Append(Invariant($"  {item.Chapter.ChapterId} ({item.Chapter.VisualType}): {item.Reason}, {Usd(item.EstimatedCostUsd)}{(item.NeedsLlm ? " incl. the LLM prompt" : "")}"));
        }
        foreach (var item in Items.Where(i => i.Card is { Due: true }))
        {
            text.AppendLine().Append(Invariant($"  {item.Chapter.ChapterId} ({item.Chapter.VisualType}): brand card made locally, no call, {Usd(0m)}"));
        }
        return text.ToString();
    }

    /// <summary>Where the per-image estimate came from, in words.</summary>
    public static string EstimateFrom(ImageRequestProfile profile) => profile.EstimateSource switch
    {
        Models.EstimateSource.Ledger => Invariant($"the most among this workspace's last {profile.Learned!.Images} settled image(s) of this model, size and quality"),
        Models.EstimateSource.TokenRule => "the catalogue's rule",
        Models.EstimateSource.PublishedTokens => "OpenAI's published count",
        Models.EstimateSource.ScaledUpperBound => "scaled from the catalogue's dearest listed size, an upper bound",
        _ => "the catalogue's price",
    };

    /// <summary>
    /// Why each chapter costs money or not, for -Verbose: "skipped because", "kept because", "generated because"
    /// (with its estimate), "adopted because".
    /// </summary>
    public IEnumerable<string> DecisionLines() => Items.Where(i => i.InScope).Select(i => i.Decision switch
    {
        ChapterDecision.Skip => $"{Episode.Id}/{i.Chapter.ChapterId}: skipped, {i.Reason}{(i.Card is { Due: true } ? "; its brand card is made locally, at no cost" : "")}.",
        ChapterDecision.UpToDate => $"{Episode.Id}/{i.Chapter.ChapterId}: kept, {i.Reason}; nothing to pay.",
        ChapterDecision.NotSelected or ChapterDecision.Pending => $"{Episode.Id}/{i.Chapter.ChapterId}: left as it is, {i.Reason}.",
        _ when i.Adopts => $"{Episode.Id}/{i.Chapter.ChapterId}: adopted, {i.Reason}; nothing to pay.",
        _ => Invariant($"{Episode.Id}/{i.Chapter.ChapterId}: generated because {i.Reason}, about {Usd(i.EstimatedCostUsd)}{(i.NeedsLlm ? " with the LLM's prompt" : i.ReusablePrompt is not null ? " (the prompt already written is reused)" : "")}."),
    });

    /// <summary>Debug-level detail: what the run may spend and how each chapter was decided.</summary>
    public IEnumerable<string> DebugLines()
    {
        yield return Invariant($"Episode '{Episode.Id}' ({Episode.Status}): {Profile.Model} {Profile.Size} {Profile.Quality} at about {Usd(Profile.EstimatedCostUsd)} per image ({EstimateFrom(Profile)}), prompt {Template.Name} v{PromptVersion.Version}, throttle {ThrottleLimit}, spent {Usd(SpentBeforeUsd)} of {Usd(MaxCostUsd)}.");
        foreach (var item in Items)
        {
            yield return $"  {item.Chapter.ChapterId} ({item.Chapter.VisualType}): {item.Decision}, {item.Reason}; hash {item.ChapterHash}";
        }
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static string Usd(decimal value) => "$" + value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The least time the pace allows for the image calls (the first call starts at once); null when unpaced.</summary>
    public TimeSpan? PacedDuration => RatePerMinute is { } n && ToGenerate.Count() is var calls and > 0
        ? TimeSpan.FromMinutes((double)((calls - 1) / n))
        : null;
}
