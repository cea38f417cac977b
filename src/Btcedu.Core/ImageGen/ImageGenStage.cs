using System.Threading.Channels;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Prompts;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The image-generation stage (docs/ARCHITECTURE.md, "Image-generation run"): plans without a lock (the dry run),
/// then prepares an <see cref="ImageGenRun"/>, which holds the episode lock and has planned under it.
/// </summary>
public sealed class ImageGenStage
{
    private readonly ImageGenServices _services;
    private readonly ImageGenPlanner _planner;
    private readonly PipelineRunStore _runs;
    private readonly MediaAssetStore _assets;
    private readonly DeliveryJournal _journal;

    public ImageGenStage(ImageGenServices services, ImageGenPlanner planner, PipelineRunStore runs, MediaAssetStore assets)
    {
        _services = services;
        _planner = planner;
        _runs = runs;
        _assets = assets;
        _journal = DeliveryJournal.For(services);
    }

    /// <summary>The stage over a workspace's own stores and its prompts folder.</summary>
    public static ImageGenStage Create(ImageGenServices services, string promptsDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        var runs = new PipelineRunStore(services.Database);
        var planner = new ImageGenPlanner(services, new PromptRegistry(promptsDirectory, new PromptVersionStore(services.Database)), runs);
        return new ImageGenStage(services, planner, runs, new MediaAssetStore(services.Database, services.Paths));
    }

    /// <summary>The workspace's image history, bounded by image_history_keep.</summary>
    public static ImageHistory History(ImageGenServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new ImageHistory(services.Paths, services.Settings.ImageHistoryKeep);
    }

    /// <summary>Decides every chapter without taking the lock or writing anything (the dry run).</summary>
    public ImageGenPlan Plan(string episodeId, ImageGenSelection selection) => _planner.Plan(episodeId, selection);

    /// <summary>
    /// Checks every precondition (the planner's, and an API key when there is work) before anything is written, the
    /// lock file included; then takes the episode lock (refusing at once when another run holds it) and plans
    /// under it, recording the prompt template's version. Dispose the result to release the lock.
    /// </summary>
    /// <param name="checkedPlan">A plan the caller already made for the same episode and selection (the one it showed
    /// for -WhatIf/-Confirm), so the checks are not planned a second time; null plans here.</param>
    public ImageGenRun Prepare(string episodeId, ImageGenSelection selection, ImageGenPlan? checkedPlan = null)
    {
        if ((checkedPlan ?? _planner.Plan(episodeId, selection)).ToGenerate.Any())
        {
            _services.Settings.RequireApiKey();
        }
        var episodeLock = EpisodeLock.Acquire(_services.Paths.LockFile(Identifier.Require(episodeId, "Episode id")), episodeId, _services.Time);
        try
        {
            var plan = _planner.Plan(episodeId, selection, record: true);
            new InterruptedRuns(_services.Paths, _runs).SettleUnderLock(episodeId);
            // Every run that journaled anything is dead now: keep only what this plan (or a later one) can adopt.
            _journal.DiscardExcept(episodeId, [.. plan.Items.Select(i => i.Journaled?.Delivery).OfType<ImageDelivery>()]);
            return new ImageGenRun(_services, _runs, _assets, _journal, plan, episodeLock);
        }
        catch
        {
            episodeLock.Dispose();
            throw;
        }
    }

    /// <summary>The kept earlier images of a chapter (or of every chapter), newest first.</summary>
    public IReadOnlyList<ImageVersion> History(string episodeId, string? chapterId = null)
    {
        _services.Episodes.Get(episodeId);
        return History(_services).List(episodeId, chapterId);
    }

    /// <summary>Checks a restore as <see cref="Restore"/> would, writing nothing (-WhatIf); returns the version.</summary>
    public ImageVersion CheckRestore(string episodeId, string chapterId, int version) => Restorer().Check(episodeId, chapterId, version).Version;

    /// <summary>Brings an earlier image back (see <see cref="ImageRestore"/> for what up to date means).</summary>
    public ImageRestore Restore(string episodeId, string chapterId, int version) => Restorer().Restore(episodeId, chapterId, version);

    private ImageRestorer Restorer() => new(_services, _planner, _assets, _journal, History(_services));
}
