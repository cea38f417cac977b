using System.Threading.Channels;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;
using Btcedu.Core.OpenAi;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// What the parts of one run share: the plan, the stores, the event channel, the cost ledger, the token counts,
/// the pipeline_runs row and the answer that stopped the run, if any. Its members are safe for parallel workers.
/// </summary>
internal sealed class RunState
{
    private readonly object _totalsGate = new();
    private long _inputTokens;
    private long _outputTokens;
    private BtceduException? _stoppedBy;

    /// <param name="ledger">The run's ledger; null for one against the plan's cap and spending (a batch's collect brings its own).</param>
    public RunState(ImageGenServices services, ImageGenPlan plan, PipelineRunStore runs, MediaAssetStore assets, DeliveryJournal journal, ChannelWriter<ImageGenEvent> events, CostLedger? ledger = null)
    {
        Services = services;
        Plan = plan;
        Runs = runs;
        Assets = assets;
        Journal = journal;
        Events = events;
        Ledger = ledger ?? new CostLedger(plan.MaxCostUsd, plan.SpentBeforeUsd);
        StartedTicks = services.Time.GetTimestamp();
    }

    public ImageGenServices Services { get; }
    public ImageGenPlan Plan { get; }
    public PipelineRunStore Runs { get; }
    public MediaAssetStore Assets { get; }
    public DeliveryJournal Journal { get; }
    public ChannelWriter<ImageGenEvent> Events { get; }
    public CostLedger Ledger { get; }
    public long StartedTicks { get; }
    public long RunId { get; set; }
    /// <summary>The batch this run collects (OpenAI's id), named in provenance; null for a synchronous run.</summary>
    public string? BatchId { get; init; }
    /// <summary>The chapters whose brand card this run made (before any call, on the run's thread).</summary>
    public List<string> CardsMade { get; } = [];

    public string EpisodeId => Plan.Episode.Id;
    public WorkspacePaths Paths => Services.Paths;
    public TimeProvider Time => Services.Time;
    public long InputTokens => Interlocked.Read(ref _inputTokens);
    public long OutputTokens => Interlocked.Read(ref _outputTokens);
    public BtceduException? StoppedBy => Volatile.Read(ref _stoppedBy);

    public void AddTokens(long? input, long? output)
    {
        Interlocked.Add(ref _inputTokens, input ?? 0);
        Interlocked.Add(ref _outputTokens, output ?? 0);
    }

    /// <summary>
    /// The first answer no retry can fix (a rejected key, an exhausted quota, a model the endpoint does not serve)
    /// stops the run: no chapter after it is attempted. Returns the error that stopped it, or null.
    /// </summary>
    public BtceduException? StopFor(ApiOutcome outcome, string? message, bool fromLlm = false)
    {
        var (id, kind) = outcome switch
        {
            ApiOutcome.KeyRejected => ("ApiKeyRejected", BtceduErrorKind.AuthenticationError),
            ApiOutcome.QuotaExhausted => ("QuotaExhausted", BtceduErrorKind.LimitsExceeded),
            ApiOutcome.ModelUnavailable => (fromLlm ? "LlmModelUnavailable" : "ImageModelUnavailable", BtceduErrorKind.ResourceUnavailable),
            _ => ((string?)null, BtceduErrorKind.NotSpecified),
        };
        if (id is null)
        {
            return null;
        }
        var stop = new BtceduException(id, kind,
            $"Episode '{EpisodeId}': the run stopped, because no retry can fix this answer: {message} Chapters not finished keep their previous state.", EpisodeId);
        Interlocked.CompareExchange(ref _stoppedBy, stop, null);
        return StoppedBy;
    }

    /// <summary>
    /// The run's totals as of now (spent plus reserved), written under one lock so that concurrent workers never
    /// overwrite newer totals with older ones.
    /// </summary>
    public T WithTotals<T>(Func<RunTotals, T> write)
    {
        lock (_totalsGate)
        {
            return write(new RunTotals(RunId, InputTokens, OutputTokens, Ledger.RunCommitted));
        }
    }

    public void SaveTotals() => WithTotals(t =>
    {
        Runs.UpdateTotals(t.RunId, t.InputTokens, t.OutputTokens, t.CostUsd);
        return true;
    });

    /// <summary>The output object for one chapter; its image path is set when the chapter has one on disk.</summary>
    public ImageGenChapterResult Result(PlannedChapter item, ImageStatus status, decimal cost = 0, string? error = null, string? reason = null, int attempts = 0, ApiOutcome? outcome = null)
    {
        var image = Paths.ImageFile(EpisodeId, item.Chapter.ChapterId);
        return new ImageGenChapterResult
        {
            EpisodeId = EpisodeId,
            ChapterId = item.Chapter.ChapterId,
            Order = item.Chapter.Order,
            VisualType = item.Chapter.VisualType,
            Status = status,
            CostUsd = cost,
            Path = File.Exists(image) && (status != ImageStatus.Skipped || item.Card is not null) ? image : null,
            Error = error,
            Reason = reason,
            Attempts = attempts,
            Outcome = status == ImageStatus.Failed ? outcome ?? ApiOutcome.Failed : null,
        };
    }
}
