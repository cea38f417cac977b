using System.Threading.Channels;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// Hands finished chapters to the caller in chapter order, whatever order the workers finish in: a result waits
/// until every chapter before it is done. Chapters outside the run's scope are kept but not reported.
/// </summary>
internal sealed class ResultEmitter
{
    private readonly IReadOnlyList<PlannedChapter> _items;
    private readonly ChannelWriter<ImageGenEvent> _events;
    private readonly ImageGenChapterResult?[] _results;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _next;

    public ResultEmitter(IReadOnlyList<PlannedChapter> items, ChannelWriter<ImageGenEvent> events)
    {
        _items = items;
        _events = events;
        _results = new ImageGenChapterResult?[items.Count];
    }

    /// <summary>The results of the chapters in the run's scope, in chapter order.</summary>
    public IReadOnlyList<ImageGenChapterResult> InScope =>
        [.. _results.Where((r, i) => r is not null && _items[i].InScope).Select(r => r!)];

    public void Complete(int index, ImageGenChapterResult result) => _results[index] = result;

    /// <summary>Emits every finished result that is next in chapter order.</summary>
    public async Task EmitReadyAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            while (_next < _results.Length && _results[_next] is { } ready)
            {
                if (_items[_next].InScope)
                {
                    await _events.WriteAsync(new ChapterCompleted(ready)).ConfigureAwait(false);
                }
                _next++;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
