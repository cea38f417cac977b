using System.Globalization;
using System.Management.Automation;
using Btcedu.Core;
using Btcedu.Core.Chapters;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.Workspace;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>
/// Generates the images of one or more episodes: only missing, changed or stale chapters unless -Force or
/// -ChapterId say otherwise, concurrently, within the episode's cost cap. Piped chapters limit the run to them.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BtceduImageGen", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ChapterSet)] // pipeline binding tries the default set first: piped chapters must reach InputObject
[OutputType(typeof(ImageGenChapterResult))]
[OutputType(typeof(ImageBatch))]
public sealed class InvokeBtceduImageGenCommand : BtceduCmdlet
{
    private const string EpisodeSet = "Episode";
    private const string ChapterSet = "Chapter";

    // Episodes in the order they came, each with the piped chapters that narrow its run (null: the whole episode).
    private readonly Dictionary<string, HashSet<string>?> _episodes = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = EpisodeSet)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty, ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[] EpisodeId { get; set; } = [];

    /// <summary>Regenerate exactly these chapters, even when unchanged.</summary>
    [Parameter(ParameterSetName = EpisodeSet)]
    [ValidateNotNullOrEmpty, ArgumentCompleter(typeof(ChapterIdCompleter))]
    public string[]? ChapterId { get; set; }

    /// <summary>Chapters from Get-BtceduChapter: the run is limited to them (each is still skipped when up to date).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ChapterSet)]
    [ValidateNotNull]
    public Chapter InputObject { get; set; } = null!;

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// Submit one batch to OpenAI's Batch API (half price for gpt-image-2, results within 24 h) instead of calling
    /// now: same selection; writes the ImageBatch. Receive-BtceduImageBatch collects it.
    /// </summary>
    [Parameter]
    public SwitchParameter Batch { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; }

    [Parameter]
    [ValidateRange(0, 100000)]
    public decimal MaxCostUsd { get; set; }

    protected override void BeginProcessing()
    {
        // Exact ids only (no wildcards): a pattern here would otherwise be looked up as a chapter named 'ch*'.
        foreach (var id in ChapterId ?? [])
        {
            StopOnError(() => Identifier.Require(id, "chapter id"));
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ChapterSet)
        {
            // A scalar, not Chapter[]: only a scalar binds piped chapters ahead of EpisodeId by property name.
            if (!_episodes.TryGetValue(InputObject.EpisodeId, out var set) || set is not null)
            {
                (_episodes[InputObject.EpisodeId] = set ?? new HashSet<string>(StringComparer.Ordinal))!.Add(InputObject.ChapterId);
            }
            return;
        }
        foreach (var id in EpisodeId.Where(id => TryRun(() => Identifier.Require(id, "episode id"), id)))
        {
            _episodes[id] = null;
        }
    }

    protected override void EndProcessing()
    {
        var selection = new ImageGenSelection
        {
            Force = Force,
            Named = ChapterId,
            ThrottleLimit = MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : null,
            MaxCostUsd = MyInvocation.BoundParameters.ContainsKey(nameof(MaxCostUsd)) ? MaxCostUsd : null,
        };
        foreach (var (id, piped) in _episodes)
        {
            if (Stopping)
            {
                break;
            }
            TryRun(() => RunEpisode(id, selection with { Restrict = piped }), id);
        }
    }

    private void SubmitBatch(string episodeId, ImageGenSelection selection)
    {
        using var batches = Workspace.ImageBatches(ModulePaths.Prompts);
        var plan = batches.Plan(episodeId, selection);
        foreach (var warning in plan.Warnings)
        {
            WriteWarning(warning);
        }
        foreach (var line in plan.DecisionLines())
        {
            WriteVerbose(line);
        }
        var todo = plan.ToGenerate.Count(i => !i.Adopts);
        var pending = plan.Pending.Count();
        if (!ShouldProcess(plan.Describe() + (pending > 0 ? string.Create(CultureInfo.InvariantCulture, $" {pending} chapter(s) already pending in a batch are not submitted again.") : ""),
            string.Create(CultureInfo.InvariantCulture, $"Submit a batch of {todo} image(s) for episode '{episodeId}' (about ${plan.EstimatedCostUsd:0.000} at the Batch API's price)?"), "Invoke-BtceduImageGen -Batch"))
        {
            return;
        }
        var batch = Await(async (log, token) =>
        {
            using var submit = Workspace.ImageBatches(ModulePaths.Prompts, log);
            return await submit.SubmitAsync(episodeId, selection, token).ConfigureAwait(false);
        });
        if (batch is null)
        {
            WriteVerbose($"Episode '{episodeId}': nothing to batch ({(pending > 0 ? $"{pending} chapter(s) pending in an open batch, the rest " : "every chapter ")}up to date or skipped).");
            return;
        }
        WriteObject(batch);
        if (batch.CostLimitedChapterIds.Count > 0)
        {
            WriteBtceduError(new BtceduException("CostLimitExceeded", BtceduErrorKind.LimitsExceeded, string.Create(CultureInfo.InvariantCulture,
                $"Episode '{episodeId}' reached its cost cap of ${plan.MaxCostUsd:0.000}: {batch.CostLimitedChapterIds.Count} chapter(s) were not batched ({string.Join(", ", batch.CostLimitedChapterIds)}). Raise max_episode_cost_usd (or pass -MaxCostUsd) and submit again."), episodeId));
        }
    }

    /// <summary>-Force on a synchronous run: the open batches holding chapters it will make are cancelled first, and it says so.</summary>
    private void CancelPendingBatches(string episodeId, ImageGenPlan plan)
    {
        var chapters = plan.ToGenerate.Select(i => i.Chapter.ChapterId).ToList();
        using var batches = Workspace.ImageBatches(ModulePaths.Prompts);
        if (!batches.List(episodeId).Any(b => !b.Collected && b.ChapterIds.Intersect(chapters, StringComparer.Ordinal).Any()))
        {
            return;
        }
        foreach (var cancelled in Await((log, token) => batches.CancelAsync(episodeId, chapters, token)))
        {
            WriteWarning($"Episode '{episodeId}': -Force cancelled batch {cancelled.Id} ({string.Join(", ", cancelled.ChapterIds.Intersect(chapters, StringComparer.Ordinal))} now generated synchronously). Results it finished before the cancel are billed: Receive-BtceduImageBatch settles them without replacing these images.");
        }
    }

    private void RunEpisode(string episodeId, ImageGenSelection selection)
    {
        if (Batch)
        {
            SubmitBatch(episodeId, selection);
            return;
        }
        var stage = Workspace.ImageGenStage(ModulePaths.Prompts);
        // The plan (read-only, no lock) is what -WhatIf shows and -Confirm asks about.
        var plan = stage.Plan(episodeId, selection);
        foreach (var warning in plan.Warnings)
        {
            WriteWarning(warning);
        }
        var todo = plan.ToGenerate.Count();
        if (!ShouldProcess(plan.Describe(), string.Create(CultureInfo.InvariantCulture, $"Generate {todo} image(s) for episode '{episodeId}' (about ${plan.EstimatedCostUsd:0.000})?"), "Invoke-BtceduImageGen"))
        {
            return;
        }

        if (Force)
        {
            CancelPendingBatches(episodeId, plan);
        }
        using var prepared = stage.Prepare(episodeId, selection, plan);
        foreach (var line in prepared.Plan.DebugLines())
        {
            WriteDebug(line);
        }
        foreach (var line in prepared.Plan.DecisionLines())
        {
            WriteVerbose(line);
        }
        var summary = Pump($"Generating images for {episodeId}", async (events, token) =>
        {
            void Post(string line) => events.TryWrite(new RunMessage(line, IsWarning: false));
            // Providers are built only when there is something to generate: an up-to-date episode needs no client.
            using var providers = prepared.HasWork ? Workspace.OpenAIProviders(Post) : null;
            return await prepared.RunAsync(providers, events, token).ConfigureAwait(false);
        });
        if (summary is null)
        {
            return; // Ctrl+C
        }
        WriteDebug(string.Create(CultureInfo.InvariantCulture, $"Episode '{episodeId}': run {summary.RunStatus}, episode {summary.EpisodeStatus}, {summary.InputTokens} input / {summary.OutputTokens} output tokens, {summary.Duration.TotalSeconds:0.000} s."));
        WriteInformation(new HostInformationMessage { Message = summary.ToString() }, ["PSHOST", "Btcedu.Summary"]);
        foreach (var error in summary.Errors())
        {
            WriteBtceduError(error);
        }
    }
}
