using System.Threading.Channels;
using Btcedu.Core.Chapters;
using Btcedu.Core.ImageGen;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>Results leave in chapter order whatever order the workers finish in; chapters outside the scope are kept, not reported.</summary>
public sealed class ResultEmitterTests
{
    [Fact]
    public async Task A_result_waits_for_every_chapter_before_it()
    {
        var items = Items(4);
        var events = Channel.CreateUnbounded<ImageGenEvent>();
        var emitter = new ResultEmitter(items, events.Writer);

        emitter.Complete(2, Result(items[2]));
        emitter.Complete(1, Result(items[1]));
        await emitter.EmitReadyAsync();
        Assert.Empty(Emitted(events));

        emitter.Complete(0, Result(items[0]));
        await emitter.EmitReadyAsync();
        Assert.Equal(["ch01", "ch02", "ch03"], Emitted(events));

        emitter.Complete(3, Result(items[3]));
        await emitter.EmitReadyAsync();
        Assert.Equal(["ch04"], Emitted(events));
    }

    [Fact]
    public async Task Chapters_outside_the_scope_are_kept_but_not_reported()
    {
        var items = Items(3);
        items[1] = items[1] with { InScope = false };
        var events = Channel.CreateUnbounded<ImageGenEvent>();
        var emitter = new ResultEmitter(items, events.Writer);

        for (var i = 0; i < 3; i++)
        {
            emitter.Complete(i, Result(items[i]));
        }
        await emitter.EmitReadyAsync();

        Assert.Equal(["ch01", "ch03"], Emitted(events));
        Assert.Equal(["ch01", "ch03"], emitter.InScope.Select(r => r.ChapterId));
    }

    [Fact]
    public async Task Workers_finishing_together_still_emit_each_result_once_in_order()
    {
        var items = Items(64);
        var events = Channel.CreateUnbounded<ImageGenEvent>();
        var emitter = new ResultEmitter(items, events.Writer);

        await Parallel.ForEachAsync(Enumerable.Range(0, 64).Reverse(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            emitter.Complete(i, Result(items[i]));
            await emitter.EmitReadyAsync();
        });

        Assert.Equal(items.Select(i => i.Chapter.ChapterId), Emitted(events));
    }

    private static List<string> Emitted(Channel<ImageGenEvent> events)
    {
        var ids = new List<string>();
        while (events.Reader.TryRead(out var e))
        {
            ids.Add(((ChapterCompleted)e).Result.ChapterId);
        }
        return ids;
    }

    private static List<PlannedChapter> Items(int n) => [.. Enumerable.Range(1, n).Select(i => new PlannedChapter(new Chapter
    {
        EpisodeId = "ep1", ChapterId = $"ch{i:00}", Order = i, Title = $"Bölüm {i}", VisualType = VisualType.diagram,
        VisualDescription = "blocks", NarrationText = "metin", WordCount = 1, DurationSeconds = 1, TransitionIn = "cut", TransitionOut = "cut",
    }, ChapterDecision.Generate, "no image yet", "sha256:00", null, 0.04m, InScope: true))];

    private static ImageGenChapterResult Result(PlannedChapter item) => new()
    {
        EpisodeId = "ep1", ChapterId = item.Chapter.ChapterId, Order = item.Chapter.Order, VisualType = item.Chapter.VisualType, Status = ImageStatus.Generated,
    };
}
