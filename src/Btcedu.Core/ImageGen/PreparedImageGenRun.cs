using System.Threading.Channels;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// A run that holds its episode's lock and has planned under it: the caller can show or confirm
/// <see cref="Plan"/> before anything is called. Providers are needed only when the plan has work.
/// </summary>
public sealed class PreparedImageGenRun : IDisposable
{
    private readonly ImageGenStage _stage;
    private readonly EpisodeLock _lock;

    internal PreparedImageGenRun(ImageGenStage stage, ImageGenPlan plan, EpisodeLock episodeLock)
    {
        _stage = stage;
        Plan = plan;
        _lock = episodeLock;
    }

    public ImageGenPlan Plan { get; }

    public bool HasWork => Plan.ToGenerate.Any();

    /// <summary>Runs the plan; <paramref name="events"/> is completed at the end.</summary>
    public async Task<ImageGenSummary> RunAsync(IImageGenService? images, ITextGenService? text, ChannelWriter<ImageGenEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            return await _stage.ExecuteAsync(Plan, images, text, events, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            events.TryComplete();
        }
    }

    public void Dispose() => _lock.Dispose();
}
