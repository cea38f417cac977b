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

        if (Workspace.Settings.OpenAiApiKey is null && stage.Plan(episodeId, selection).ToGenerate.Any())
        {
            Workspace.Settings.RequireApiKey(); // fails before the lock, the records or any call
        }
        using var prepared = stage.Prepare(episodeId, selection);
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
        var run = Task.Run(() => prepared.RunAsync(images, text, events.Writer, Cancellation));

        var progress = new ProgressRecord(1, $"Generating images for {episodeId}", "Starting…");
        try
        {
            foreach (var e in events.Reader.ReadAllAsync().ToBlockingEnumerable())
            {
                switch (e)
                {
                    case ChapterCompleted c:
                        WriteObject(c.Result);
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
        }
        finally
        {
            // When the pipeline stops (Ctrl+C), the cancelled run still settles its files; the lock and the
            // clients are released only after it has.
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

        WriteInformation(new HostInformationMessage { Message = summary.ToString() }, ["PSHOST", "Btcedu.Summary"]);
        foreach (var chapter in summary.FailedChapters)
        {
            WriteWarning($"Episode '{episodeId}': chapter {chapter} failed; see its Error, then re-run to retry it.");
        }
        if (summary.StoppedBy is { } stop)
        {
            WriteBtceduError(stop);
        }
        if (summary.CostLimited > 0)
        {
            WriteBtceduError(new BtceduException("CostLimitExceeded", BtceduErrorKind.LimitsExceeded,
                string.Create(CultureInfo.InvariantCulture, $"Episode '{episodeId}' reached its cost cap of {Usd(summary.MaxCostUsd)}: {summary.CostLimited} chapter(s) were not generated and the episode is COST_LIMIT. Raise max_episode_cost_usd (or pass -MaxCostUsd) and run again."),
                episodeId));
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
