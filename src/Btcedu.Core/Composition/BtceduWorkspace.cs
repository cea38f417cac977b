using Btcedu.Core.Chapters;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Storage;
using Btcedu.Core.Settings;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Composition;

/// <summary>
/// One workspace root with its settings, database and services: what a cmdlet (or a test) opens first.
/// </summary>
public sealed class BtceduWorkspace
{
    private BtceduWorkspace(WorkspacePaths paths, BtceduSettings settings, Database database, TimeProvider time)
    {
        Paths = paths;
        Settings = settings;
        Database = database;
        Time = time;
        Episodes = new EpisodeStore(database);
        Chapters = new ChapterCatalog(paths, Episodes);
        Invalidation = new Invalidation(paths, time);
        Importer = new ChapterImporter(paths, database, Episodes, Invalidation);
        Markers = new StaleMarking(paths, Episodes, Invalidation, time);
        Runs = new PipelineRunStore(database);
        MediaAssets = new MediaAssetStore(database, paths);
        PromptVersions = new PromptVersionStore(database);
        Costs = new CostReport(database, paths);
    }

    public WorkspacePaths Paths { get; }
    public BtceduSettings Settings { get; }
    public Database Database { get; }
    public TimeProvider Time { get; }
    public EpisodeStore Episodes { get; }
    public ChapterCatalog Chapters { get; }
    public Invalidation Invalidation { get; }
    public ChapterImporter Importer { get; }
    public StaleMarking Markers { get; }
    public PipelineRunStore Runs { get; }
    public MediaAssetStore MediaAssets { get; }
    public PromptVersionStore PromptVersions { get; }
    public CostReport Costs { get; }

    /// <summary>
    /// The policy of every command that reports runs, images or their cost: first settle the pipeline_runs rows of
    /// image runs that were killed before recording their end (their episode lock is free) as interrupted, keeping
    /// what they spent, so no report shows a dead run as running. Returns how many rows it settled.
    /// </summary>
    public int SettleInterruptedRuns() => new InterruptedRuns(Paths, Runs).Settle();

    /// <summary>
    /// The OpenAI image and text services a run with work calls, over this workspace's settings; every line they log
    /// (a retry, a pause) goes to <paramref name="log"/>. Dispose the result after the run.
    /// </summary>
    public ImageGen.ImageGenProviders OpenAIProviders(Action<string>? log = null, OpenAi.OpenAIServiceOptions? options = null) =>
        new(new Imaging.OpenAIImageGenService(Settings, options, null, log), new Llm.OpenAITextGenService(Settings, options, null, log));

    /// <summary>What the image stage needs of this workspace.</summary>
    public ImageGen.ImageGenServices ImageGenServices => new(Paths, Settings, Time, Database, Episodes, Chapters, Invalidation);

    /// <summary>Batch mode over this workspace (Invoke-BtceduImageGen -Batch and the *-BtceduImageBatch cmdlets); dispose after use.</summary>
    public ImageGen.ImageBatches ImageBatches(string promptsDirectory, Action<string>? log = null, OpenAi.OpenAIServiceOptions? options = null) =>
        new(ImageGenServices, promptsDirectory, log, options);

    /// <summary>The image stage over this workspace, with the prompt templates in <paramref name="promptsDirectory"/>.</summary>
    public ImageGen.ImageGenStage ImageGenStage(string promptsDirectory) => ImageGen.ImageGenStage.Create(ImageGenServices, promptsDirectory);

    /// <summary>The review gallery's exporter over this workspace, with the template shipped beside Core (or in <paramref name="templateDirectory"/>).</summary>
    public Gallery.GalleryExporter GalleryExporter(string? templateDirectory = null) =>
        new(Paths, Episodes, Chapters, Runs, ImageGen.ImageGenStage.History(ImageGenServices), Gallery.GalleryTemplate.Load(templateDirectory));

    /// <summary>The root a session works in: <c>BTCEDU_ROOT</c> when set, else the caller's current location.</summary>
    /// <summary>The image catalogue as Get-BtceduImageModel lists it, each estimate learned from this workspace's settled images when it has some.</summary>
    public IReadOnlyList<Models.ImageModelListing> ImageModelListings(DateOnly today)
    {
        var assets = new MediaAssetStore(Database, Paths);
        return [.. Settings.Models.ImageModels.Select(m => Models.ImageModelListing.From(m, today, Settings.ImageModel,
            assets.LearnedOutputTokens(m.Name, m.DefaultSize, m.DefaultQuality)))];
    }

    public static string ResolveRoot(IReadOnlyDictionary<string, string?> environment, string currentLocation) =>
        environment.TryGetValue("BTCEDU_ROOT", out var root) && !string.IsNullOrWhiteSpace(root)
            ? Path.GetFullPath(root, currentLocation)
            : currentLocation;

    public static BtceduWorkspace Open(string root, IReadOnlyDictionary<string, string?> environment, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var paths = new WorkspacePaths(Path.GetFullPath(root));
        var settings = SettingsLoader.Load(paths, environment);
        var database = Database.Open(paths.DatabasePath, time);
        return new BtceduWorkspace(paths, settings, database, time);
    }
}
