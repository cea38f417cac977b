using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.Core.Imaging;
using Btcedu.Core.Models;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Prompts;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// Decides, per chapter, whether a run skips it, keeps its image or generates one. It reads only, except that a
/// real run's plan records the prompt template's version, last, once every check has passed.
/// </summary>
public sealed class ImageGenPlanner
{
    /// <summary>Stages whose markers only say "inputs may have changed": the chapter hash settles it.</summary>
    private static readonly HashSet<string> UpstreamStages = [.. new[] { Stage.correct, Stage.translate, Stage.adapt, Stage.chapterize }.Select(s => s.ToString())];

    private readonly ImageGenServices _services;
    private readonly PromptRegistry _prompts;
    private readonly PipelineRunStore _runs;

    public ImageGenPlanner(ImageGenServices services, PromptRegistry prompts, PipelineRunStore runs)
    {
        _services = services;
        _prompts = prompts;
        _runs = runs;
    }

    /// <summary>
    /// Decides every chapter. Only with <paramref name="record"/> does it record the prompt template's version, and
    /// only after every check has passed: a refused run leaves no trace.
    /// </summary>
    public ImageGenPlan Plan(string episodeId, ImageGenSelection selection, bool record = false)
    {
        var episode = _services.Episodes.Get(episodeId);
        if (episode.PipelineVersion != 2)
        {
            throw new BtceduException("EpisodeNotV2", BtceduErrorKind.InvalidOperation,
                $"Episode '{episodeId}' is a v{episode.PipelineVersion} (legacy) episode; images are generated for v2 episodes only.", episodeId);
        }
        if (episode.Status is not (EpisodeStatus.CHAPTERIZED or EpisodeStatus.IMAGES_GENERATED or EpisodeStatus.COST_LIMIT))
        {
            throw new BtceduException("EpisodeNotChapterized", BtceduErrorKind.InvalidOperation,
                $"Episode '{episodeId}' is {episode.Status}; images are generated for CHAPTERIZED episodes (or re-run on IMAGES_GENERATED / COST_LIMIT). Import its chapters with Import-BtceduChapter first.", episodeId);
        }

        var settings = _services.Settings;
        var today = DateOnly.FromDateTime(_services.Time.GetUtcNow().UtcDateTime);
        var resolved = ImageRequestProfile.Resolve(settings, today);
        // After the workspace's first images, the estimate is what it paid for the last ones of the same shape.
        var profile = resolved.WithLearned(new MediaAssetStore(_services.Database, _services.Paths).LearnedOutputTokens(resolved.Model, resolved.Size, resolved.Quality));
        if (selection.Batch || selection.Collecting is not null)
        {
            profile = profile.AtBatchPrices(); // BatchNotSupported before anything else is read
        }
        var (template, provisional) = _prompts.Load("imagegen", record: false);
        var file = _services.Chapters.Load(episode);
        var chapters = file.Document.Chapters;
        CheckNames(episodeId, chapters, selection.Named, "-ChapterId");
        CheckNames(episodeId, chapters, selection.Restrict, "the piped chapters");

        var paths = _services.Paths;
        var manifest = ImageManifest.Load(paths.ManifestFile(episodeId));
        var previous = manifest?.Images.ToDictionary(e => e.ChapterId, StringComparer.Ordinal) ?? [];
        var manifestMarker = StaleMarker.Read(paths.ManifestFile(episodeId));
        var inputs = HashInputs(settings, profile, template);

        var cards = settings.BrandCards ? BrandTemplates(settings, chapters) : null;
        var recorded = RecordedImages(episodeId, chapters, previous);
        var items = new List<PlannedChapter>(chapters.Count);
        foreach (var chapter in chapters)
        {
            var hash = ChapterHasher.Hash(chapter, inputs);
            previous.TryGetValue(chapter.ChapterId, out var entry);
            var rebuilt = !HasImage(entry) && recorded.TryGetValue(chapter.ChapterId, out var asset) && asset.ChapterHash == hash;
            if (rebuilt)
            {
                entry = ManifestEntries.FromAsset(chapter, recorded[chapter.ChapterId]);
            }
            var (decision, reason) = Decide(chapter, hash, entry, selection, manifestMarker, paths.ImageFile(episodeId, chapter.ChapterId));
            if (rebuilt && decision == ChapterDecision.UpToDate)
            {
                reason += "; its manifest entry was rebuilt from its media_assets row";
            }
            var inScope = selection.Excludes(chapter.ChapterId) is null;
            items.Add(new PlannedChapter(chapter, decision, reason, hash, entry, decision == ChapterDecision.Generate ? profile.EstimatedCostUsd : 0m, inScope)
            {
                Card = decision == ChapterDecision.Skip && cards is not null ? CardFor(chapter, entry, cards, paths.ImageFile(episodeId, chapter.ChapterId), manifestMarker) : null,
            });
        }

        items = PendingInBatches(episodeId, items, selection);

        // An image a killed run was delivered and paid for, still on disk, is adopted rather than bought again.
        var adoptable = DeliveryJournal.For(_services).Adoptable(episodeId,
            items.Where(i => i.Decision is ChapterDecision.Generate or ChapterDecision.NotSelected or ChapterDecision.Pending).ToDictionary(i => i.Chapter.ChapterId, i => i.ChapterHash, StringComparer.Ordinal));
        items = [.. items.Select(i => !adoptable.TryGetValue(i.Chapter.ChapterId, out var j) ? i
            : i.Decision == ChapterDecision.Generate
                ? i with { Journaled = j, EstimatedCostUsd = 0m, Reason = $"adopted: run {j.Delivery.RunId} was delivered this image and stopped before recording it; not paid again" }
                : i with { Journaled = j })];

        var warnings = new List<string>();
        if (profile.LifecycleWarning is { } imageWarning)
        {
            warnings.Add(imageWarning);
        }
        LlmModel? llm = null;
        if (items.Any(i => i.Decision == ChapterDecision.Generate && i.NeedsLlm))
        {
            // The LLM must be priced (its spending is tracked) and not retired, before any call.
            llm = settings.Models.RequireLlm(settings.LlmModel);
            if (llm.Lifecycle.Check("llm_model", llm.Name, today, settings.IsOpenAiEndpoint) is { } llmWarning)
            {
                warnings.Add(llmWarning);
            }
            items = [.. items.Select(i => i.Decision == ChapterDecision.Generate && i.NeedsLlm
                ? i with { EstimatedCostUsd = i.EstimatedCostUsd + PromptRequest.For(template, file.Document.Title, i.Chapter, llm.Name).MaxCostUsd(llm) }
                : i)];
        }
        var version = record ? _prompts.Record(template) : provisional;

        return new ImageGenPlan
        {
            Episode = episode,
            Chapters = file,
            Template = template,
            PromptVersion = version,
            Profile = profile,
            Items = items,
            Manifest = manifest,
            Llm = llm,
            Warnings = warnings,
            RatePerMinute = settings.ImageRateLimitPerMinute,
            SpentBeforeUsd = _runs.TotalCostUsd(episodeId),
            MaxCostUsd = selection.MaxCostUsd ?? settings.MaxEpisodeCostUsd,
            ThrottleLimit = selection.ThrottleLimit ?? settings.ImageThrottleLimit,
        };
    }

    /// <summary>
    /// A chapter an open batch holds for its current hash is left alone (Pending), unless the run collects that
    /// batch: then it is the run's work, with the prompt the batch sent. A sync run with -Force regenerates it (its
    /// caller cancelled the batch first); a chapter already up to date stays so.
    /// </summary>
    private List<PlannedChapter> PendingInBatches(string episodeId, List<PlannedChapter> items, ImageGenSelection selection)
    {
        var store = new ImageBatchStore(_services.Database);
        var pending = store.Pending(episodeId);
        if (pending.Count == 0 && selection.Collecting is null)
        {
            return items;
        }
        var prompts = selection.Collecting is { } collecting
            ? store.Requests(collecting).ToDictionary(r => r.ChapterId, r => r, StringComparer.Ordinal) : [];
        return [.. items.Select(i =>
        {
            var held = pending.Where(p => p.ChapterId == i.Chapter.ChapterId && p.ChapterHash == i.ChapterHash).ToList();
            if (selection.Collecting is { } collected && prompts.ContainsKey(i.Chapter.ChapterId) && !held.Any(h => h.Batch == collected) && i.Decision == ChapterDecision.Generate)
            {
                // The chapter changed since the batch was submitted: its result is for the old one.
                return i with { Decision = ChapterDecision.NotSelected, EstimatedCostUsd = 0m, Reason = "changed since its batch was submitted: the batch's result is paid but not placed" };
            }
            if (held.Count == 0)
            {
                return i;
            }
            if (selection.Collecting is { } c && held.Any(h => h.Batch == c) && prompts.TryGetValue(i.Chapter.ChapterId, out var request))
            {
                return i with { BatchPrompt = request.Prompt };
            }
            if (i.Decision != ChapterDecision.Generate || (selection.Force && !selection.Batch && selection.Collecting is null))
            {
                return i;
            }
            var name = held[0].BatchId ?? $"#{held[0].Batch} (not yet created)";
            return i with
            {
                Decision = ChapterDecision.Pending, EstimatedCostUsd = 0m,
                Reason = $"pending in batch {name} (Receive-BtceduImageBatch collects it; -Force cancels it and generates now)",
            };
        })];
    }

    /// <summary>
    /// The hash an image of <paramref name="chapter"/> must have been made for to count as up to date under today's
    /// settings; null when those settings could not run (a retired or unknown model, a missing template): then no
    /// image counts as up to date, and the next run says why. Only reads, and refuses nothing.
    /// </summary>
    public string? CurrentHash(Chapter chapter)
    {
        try
        {
            var settings = _services.Settings;
            var profile = ImageRequestProfile.Resolve(settings, DateOnly.FromDateTime(_services.Time.GetUtcNow().UtcDateTime));
            var (template, _) = _prompts.Load("imagegen", record: false);
            return ChapterHasher.Hash(chapter, HashInputs(settings, profile, template));
        }
        catch (BtceduException)
        {
            return null;
        }
    }

    /// <summary>What a chapter's hash covers besides the chapter: the settings and template its image is made with.</summary>
    private static ImageHashInputs HashInputs(Settings.BtceduSettings settings, ImageRequestProfile profile, PromptTemplate template) =>
        new(settings.ImageStylePrefix, profile.Model, profile.Size, profile.Quality, profile.Style, template.ContentHash, settings.LlmModel);

    /// <summary>
    /// The PNG on disk and its media_assets row are the truth, the manifest a summary of them: an image whose entry
    /// the manifest lacks (a manifest lost or deleted, a crash between writes) gets its entry back from its row, when
    /// the file is there at the recorded size and no killed run journaled it. Reads the rows only when some generated
    /// chapter has no image entry.
    /// </summary>
    private IReadOnlyDictionary<string, MediaAsset> RecordedImages(string episodeId, IReadOnlyList<Chapter> chapters, IReadOnlyDictionary<string, ManifestEntry> previous)
    {
        if (!chapters.Any(c => c.VisualType.IsGenerated() && !HasImage(previous.GetValueOrDefault(c.ChapterId))))
        {
            return new Dictionary<string, MediaAsset>();
        }
        var paths = _services.Paths;
        // A killed run's journal says more (the image is new, so render goes stale): those chapters are adopted instead.
        var journaled = new ImageDeliveryStore(_services.Database).List(episodeId).Where(d => d.Delivered || d.Answered).Select(d => d.ChapterId).ToHashSet(StringComparer.Ordinal);
        return new MediaAssetStore(_services.Database, paths).List(episodeId, "image")
            .Where(a => a.ChapterId is not null && !journaled.Contains(a.ChapterId) && a.FilePath == paths.RelativeToEpisode(episodeId, paths.ImageFile(episodeId, a.ChapterId))
                && new FileInfo(a.Path) is { Exists: true } f && f.Length == a.SizeBytes)
            .ToDictionary(a => a.ChapterId!, StringComparer.Ordinal);
    }

    /// <summary>Whether an entry describes an image this stage made (in manifests before file_path was always set, it had one).</summary>
    private static bool HasImage(ManifestEntry? entry) =>
        entry is not null && !string.IsNullOrEmpty(entry.FilePath) && entry.GenerationMethod is null or GenerationMethod.Api;

    /// <summary>
    /// The template each card layout is drawn on, checked before anything is written: a named template must exist
    /// and be an image. Its hash joins the card's, so a new template makes every card of its type again.
    /// </summary>
    private Dictionary<VisualType, (byte[]? Template, string TemplateHash)> BrandTemplates(Settings.BtceduSettings settings, IReadOnlyList<Chapter> chapters)
    {
        var result = new Dictionary<VisualType, (byte[]?, string)>();
        foreach (var type in chapters.Select(c => c.VisualType).Where(t => !t.IsGenerated()).Distinct())
        {
            var (key, configured) = type == VisualType.title_card ? ("title_card_template", settings.TitleCardTemplate) : ("talking_head_template", settings.TalkingHeadTemplate);
            if (configured is null)
            {
                result[type] = (null, "plain");
                continue;
            }
            var path = Path.GetFullPath(Path.Combine(_services.Paths.Root, configured));
            if (!File.Exists(path))
            {
                throw new BtceduException("BrandTemplateNotFound", BtceduErrorKind.ObjectNotFound,
                    $"The {key} '{configured}' in the settings names no file ({path}). Point it at a PNG, JPEG or WebP image, or remove it for a plain brand card.", configured);
            }
            var bytes = File.ReadAllBytes(path);
            if (!ImageNormalizer.LooksDecodable(bytes))
            {
                throw new BtceduException("BrandTemplateUnreadable", BtceduErrorKind.InvalidData,
                    $"The {key} '{configured}' is not a PNG, JPEG or WebP image.", configured);
            }
            result[type] = (bytes, ContentHash.Of(bytes));
        }
        return result;
    }

    /// <summary>The card a skipped chapter gets; the one on disk is kept while its title and template are the same.</summary>
    private static CardPlan CardFor(Chapter chapter, ManifestEntry? entry, Dictionary<VisualType, (byte[]? Template, string TemplateHash)> cards, string image, StaleMarker? manifestMarker)
    {
        var (template, templateHash) = cards[chapter.VisualType];
        var layout = chapter.VisualType == VisualType.title_card ? CardLayout.Title : CardLayout.LowerThird;
        var hash = ContentHash.Of(System.Text.Encoding.UTF8.GetBytes($"{BrandCard.Version}\n{layout}\n{chapter.Title}\n{templateHash}"));
        var kept = entry is { GenerationMethod: GenerationMethod.Template } && entry.ChapterHash == hash && File.Exists(image)
            && MarkedBeyondUpstream(image, manifestMarker) is null ? entry : null;
        return new CardPlan(hash, layout, template, kept);
    }

    private static (ChapterDecision, string) Decide(Chapter chapter, string hash, ManifestEntry? entry, ImageGenSelection selection, StaleMarker? manifestMarker, string image)
    {
        if (!chapter.VisualType.IsGenerated())
        {
            return (ChapterDecision.Skip, $"{chapter.VisualType} visuals come from brand templates");
        }
        if (selection.Excludes(chapter.ChapterId) is { } excluded)
        {
            return (ChapterDecision.NotSelected, excluded);
        }
        if (selection.Names(chapter.ChapterId))
        {
            return (ChapterDecision.Generate, "named by -ChapterId");
        }
        if (selection.Force)
        {
            return (ChapterDecision.Generate, "-Force");
        }
        if (!File.Exists(image))
        {
            return (ChapterDecision.Generate, "no image yet");
        }
        if (entry?.Status is ImageStatus.Failed or ImageStatus.CostLimited)
        {
            return (ChapterDecision.Generate, $"last attempt ended {entry.Status}");
        }
        if (entry?.ChapterHash != hash)
        {
            return (ChapterDecision.Generate, entry is null ? "not in the manifest" : "chapter or settings changed");
        }
        if (MarkedBeyondUpstream(image, manifestMarker) is { } marker)
        {
            return (ChapterDecision.Generate, $"marked stale by {marker.InvalidatedBy}: {marker.Reason}");
        }
        return (ChapterDecision.UpToDate, "image matches the chapter");
    }

    /// <summary>
    /// A marker beside the image (or the whole stage's) that the hash cannot answer. A marker from upstream means
    /// "inputs may have changed"; a matching hash says they did not.
    /// </summary>
    private static StaleMarker? MarkedBeyondUpstream(string image, StaleMarker? manifestMarker) =>
        new[] { StaleMarker.Read(image), manifestMarker }.FirstOrDefault(m => m is not null && !UpstreamStages.Contains(m.InvalidatedBy));

    private static void CheckNames(string episodeId, IReadOnlyList<Chapter> chapters, IReadOnlyCollection<string>? names, string source)
    {
        var unknown = names?.Where(n => !chapters.Any(c => c.ChapterId == n)).ToList() ?? [];
        if (unknown.Count > 0)
        {
            throw ChapterCatalog.NotFound(episodeId, unknown, source);
        }
    }
}
