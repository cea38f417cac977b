using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Threading.Channels;
using Btcedu.Core;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.Workspace;

namespace Btcedu.PowerShell.Commands;

/// <summary>
/// Generates the images of one or more episodes: only missing, changed or stale chapters unless -Force or
/// -ChapterId say otherwise, concurrently, within the episode's cost cap. Piped chapters limit the run to them.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BtceduImageGen", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ImageGenChapterResult))]
public sealed class InvokeBtceduImageGenCommand : BtceduCmdlet
{
    private readonly List<string> _episodes = [];
    private readonly Dictionary<string, HashSet<string>?> _piped = new(StringComparer.Ordinal);
    private string[]? _commandLineChapterIds;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    public string[] EpisodeId { get; set; } = [];

    /// <summary>Regenerate exactly these chapters, even when unchanged. From the pipeline, chapters limit the run instead.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? ChapterId { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; }

    [Parameter]
    [ValidateRange(0, 100000)]
    public decimal MaxCostUsd { get; set; }

    protected override void BeginProcessing()
    {
        _commandLineChapterIds = MyInvocation.BoundParameters.ContainsKey(nameof(ChapterId)) ? ChapterId : null;
        // Exact ids only (no wildcards): a pattern here would otherwise be looked up as a chapter named 'ch*'.
        foreach (var id in _commandLineChapterIds ?? [])
        {
            try
            {
                Identifier.Require(id, "chapter id");
            }
            catch (BtceduException e)
            {
                ThrowBtceduError(e);
            }
        }
    }

    protected override void ProcessRecord()
    {
        if (ChapterId is not null && !ReferenceEquals(ChapterId, _commandLineChapterIds) && !ChapterId.All(c => TryRun(() => Identifier.Require(c, "chapter id"), c)))
        {
            return;
        }
        foreach (var id in EpisodeId)
        {
            if (!TryRun(() => Identifier.Require(id, "episode id"), id))
            {
                continue;
            }
            if (!_episodes.Contains(id))
            {
                _episodes.Add(id);
            }
            // A chapter piped in (its ChapterId bound from the pipeline, not the command line) narrows the run.
            var pipedChapters = MyInvocation.ExpectingInput && ChapterId is not null && !ReferenceEquals(ChapterId, _commandLineChapterIds) ? ChapterId : null;
            if (pipedChapters is null)
            {
                _piped[id] = null;
            }
            else if (!_piped.TryGetValue(id, out var set) || set is not null)
            {
                set ??= new HashSet<string>(StringComparer.Ordinal);
                set.UnionWith(pipedChapters);
                _piped[id] = set;
            }
        }
    }

    protected override void EndProcessing()
    {
        foreach (var id in _episodes)
        {
            if (Stopping)
            {
                break;
            }
            var selection = new ImageGenSelection
            {
                Force = Force,
                Named = _commandLineChapterIds,
                Restrict = _piped.GetValueOrDefault(id),
                ThrottleLimit = MyInvocation.BoundParameters.ContainsKey(nameof(ThrottleLimit)) ? ThrottleLimit : null,
                MaxCostUsd = MyInvocation.BoundParameters.ContainsKey(nameof(MaxCostUsd)) ? MaxCostUsd : null,
            };
            TryRun(() => RunEpisode(id, selection), id);
        }
    }

    private void RunEpisode(string episodeId, ImageGenSelection selection)
    {
        var stage = ImageGenStage.Create(Workspace, ModulePaths.Prompts);
        if (IsWhatIf)
        {
            // The dry run neither locks nor records anything: it only shows the plan.
            var plan = stage.Plan(episodeId, selection);
            WarnAbout(plan);
            ShouldProcess(Describe(plan), "", "");
            return;
        }

        // A run with work needs a key: without one it is refused before the lock, the records or any call.
        using var prepared = stage.Prepare(episodeId, selection, plan =>
        {
            if (plan.ToGenerate.Any())
            {
                Workspace.Settings.RequireApiKey();
            }
        });
        WritePlanDebug(prepared.Plan);
        WarnAbout(prepared.Plan);
        var todo = prepared.Plan.ToGenerate.Count();
        if (prepared.HasWork && !ShouldProcess(Describe(prepared.Plan), $"Generate {todo} image(s) for episode '{episodeId}' (about {Usd(prepared.Plan.EstimatedCostUsd)})?", "Invoke-BtceduImageGen"))
        {
            return;
        }

        var events = Channel.CreateUnbounded<ImageGenEvent>(new UnboundedChannelOptions { SingleReader = true });
        void Log(string line) => events.Writer.TryWrite(new RunMessage(line, IsWarning: false));
        // Providers are built only when there is something to generate: an up-to-date episode needs no key and no client.
        using var images = prepared.HasWork ? new OpenAIImageGenService(Workspace.Settings, log: Log) : null;
        using var text = prepared.HasWork ? new OpenAITextGenService(Workspace.Settings, log: Log) : null;
        // Stopped by Ctrl+C, or by a failed chapter under -ErrorAction Stop.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var run = Task.Run(() => prepared.RunAsync(images, text, events.Writer, stop.Token));

        var progress = new ProgressRecord(1, $"Generating images for {episodeId}", "Starting…");
        var drained = false;
        try
        {
            foreach (var e in events.Reader.ReadAllAsync().ToBlockingEnumerable())
            {
                switch (e)
                {
                    case ChapterCompleted c:
                        WriteObject(c.Result);
                        if (c.Result.Status == ImageStatus.Failed)
                        {
                            WriteError(GenerationFailed(c.Result)); // throws under -ErrorAction Stop
                        }
                        break;
                    case ProgressChanged p:
                        progress.PercentComplete = p.Total == 0 ? 100 : p.Done * 100 / p.Total;
                        progress.StatusDescription = $"{p.Done}/{p.Total} chapters, {Usd(p.SpentUsd)} spent (last: {p.ChapterId})";
                        WriteProgress(progress);
                        break;
                    case RunMessage { IsWarning: true } m:
                        WriteWarning(m.Text);
                        break;
                    case RunMessage m:
                        WriteVerbose(m.Text);
                        break;
                }
            }
            drained = true;
        }
        finally
        {
            if (!drained)
            {
                stop.Cancel(); // nobody reads the events any more: stop calling and settle
            }
            // When the pipeline stops (Ctrl+C, -ErrorAction Stop), the cancelled run still settles its files; the
            // lock and the clients are released only after it has.
            ((IAsyncResult)run).AsyncWaitHandle.WaitOne();
        }
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);

        ImageGenSummary summary;
        try
        {
            summary = run.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Stopping)
        {
            return;
        }

        WriteDebug(string.Create(CultureInfo.InvariantCulture, $"Episode '{episodeId}': run {summary.RunStatus}, episode {summary.EpisodeStatus}, {summary.InputTokens} input / {summary.OutputTokens} output tokens, {summary.Duration.TotalSeconds:0.000} s."));
        WriteInformation(new HostInformationMessage { Message = summary.ToString() }, ["PSHOST", "Btcedu.Summary"]);
        if (summary.StoppedBy is { } stoppedBy)
        {
            WriteBtceduError(stoppedBy);
        }
        if (summary.CostLimited > 0)
        {
            WriteBtceduError(new BtceduException("CostLimitExceeded", BtceduErrorKind.LimitsExceeded,
                string.Create(CultureInfo.InvariantCulture, $"Episode '{episodeId}' reached its cost cap of {Usd(summary.MaxCostUsd)}: {summary.CostLimited} chapter(s) were not generated and the episode is COST_LIMIT. Raise max_episode_cost_usd (or pass -MaxCostUsd) and run again."),
                episodeId));
        }
    }

    /// <summary>
    /// One error per failed chapter, beside its result object, so that -ErrorAction Stop, $? and -ErrorVariable see
    /// a failure and a scheduled `pwsh -File` can exit non-zero. The target is the chapter's result.
    /// </summary>
    private static ErrorRecord GenerationFailed(ImageGenChapterResult result) =>
        ToErrorRecord(new BtceduException("ImageGenerationFailed", FailureKind(result.Error),
            $"Episode '{result.EpisodeId}', chapter {result.ChapterId}: no image was generated. {result.Error?.TrimEnd('.')}. Fix the cause, then run again to retry the chapter.",
            result));

    // The stage starts an API failure's Error with the provider's outcome ("RateLimited: …").
    private static BtceduErrorKind FailureKind(string? error) =>
        Enum.TryParse<ImageGenOutcome>(error?.Split(':', 2)[0], ignoreCase: false, out var outcome) ? outcome switch
        {
            ImageGenOutcome.ContentPolicyRejected => BtceduErrorKind.InvalidData,
            ImageGenOutcome.RateLimited => BtceduErrorKind.LimitsExceeded,
            ImageGenOutcome.TimedOut => BtceduErrorKind.OperationTimeout,
            _ => BtceduErrorKind.InvalidResult,
        } : BtceduErrorKind.InvalidResult;

    /// <summary>Debug-level detail: how each chapter was decided, and what the run may spend.</summary>
    private void WritePlanDebug(ImageGenPlan plan)
    {
        WriteDebug(string.Create(CultureInfo.InvariantCulture,
            $"Episode '{plan.Episode.Id}' ({plan.Episode.Status}) in {Workspace.Paths.Root}: {plan.Profile.Model} {plan.Profile.Size} {plan.Profile.Quality} at about {Usd(plan.Profile.EstimatedCostUsd)} per image, prompt {plan.Template.Name} v{plan.PromptVersion.Version}, throttle {plan.ThrottleLimit}, spent {Usd(plan.SpentBeforeUsd)} of {Usd(plan.MaxCostUsd)}."));
        foreach (var item in plan.Items)
        {
            WriteDebug($"  {item.Chapter.ChapterId} ({item.Chapter.VisualType}): {item.Decision}, {item.Reason}; hash {item.ChapterHash}");
        }
    }

    private bool IsWhatIf =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent
        : SessionState.PSVariable.GetValue("WhatIfPreference") is SwitchParameter { IsPresent: true } or true;

    private void WarnAbout(ImageGenPlan plan)
    {
        foreach (var warning in plan.Warnings)
        {
            WriteWarning(warning);
        }
    }

    private static string Describe(ImageGenPlan plan)
    {
        var text = new StringBuilder();
        var todo = plan.ToGenerate.ToList();
        var profile = plan.Profile;
        var tokens = profile.ExpectedOutputTokens is { } t ? string.Create(CultureInfo.InvariantCulture, $", about {t} output tokens per image") : "";
        text.Append(CultureInfo.InvariantCulture, $"Episode '{plan.Episode.Id}': generate {todo.Count} of {plan.Items.Count} chapter image(s) with {profile.Model} {profile.Size} {profile.Quality} (cropped to 1920x1080){tokens}, estimated {Usd(plan.EstimatedCostUsd)} (spent so far {Usd(plan.SpentBeforeUsd)}, cap {Usd(plan.MaxCostUsd)}).");
        if (plan.PacedDuration is { } paced)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  Paced at {plan.RatePerMinute} image(s) per minute: at least {paced.TotalMinutes:0.#} minute(s) for the calls, plus the API's own time.");
        }
        var room = plan.MaxCostUsd - plan.SpentBeforeUsd;
        if (todo.Count > 0 && plan.EstimatedCostUsd > room)
        {
            var fits = 0;
            for (decimal sum = 0; fits < todo.Count && sum + todo[fits].EstimatedCostUsd <= room; fits++)
            {
                sum += todo[fits].EstimatedCostUsd;
            }
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  The cap leaves {Usd(Math.Max(0, room))}: about {fits} of them fit; the rest would be cost-limited.");
        }
        foreach (var item in todo)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {item.Chapter.ChapterId} ({item.Chapter.VisualType}): {item.Reason}, {Usd(item.EstimatedCostUsd)}{(item.NeedsLlm ? " incl. the LLM prompt" : "")}");
        }
        return text.ToString();
    }

    private static string Usd(decimal value) => "$" + value.ToString("0.000", CultureInfo.InvariantCulture);
}
