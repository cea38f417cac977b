using Btcedu.Core.Imaging;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// Makes the brand card of a title card or talking head (<see cref="BrandCard"/>), under the run's lock, with no call
/// and no cost: the render stage gets a visual for every chapter. A paid image in the way (the chapter was a diagram
/// before) goes to history first, as any replaced image does; an earlier card is simply replaced.
/// </summary>
internal sealed class CardMaker(RunState run)
{
    public async Task<ManifestEntry> MakeAsync(PlannedChapter item)
    {
        var card = item.Card!;
        var chapterId = item.Chapter.ChapterId;
        var (png, thumbnail) = BrandCard.Draw(item.Chapter.Title, card.Layout, card.Template);
        if (item.Previous is { GenerationMethod: not GenerationMethod.Template } && File.Exists(run.Paths.ImageFile(run.EpisodeId, chapterId)))
        {
            await run.Journal.StageAsync(run.EpisodeId, chapterId, png).ConfigureAwait(false);
            run.Journal.Place(run.EpisodeId, chapterId, item.Previous);
        }
        else
        {
            await AtomicFile.WriteAllBytesAsync(run.Paths.ImageFile(run.EpisodeId, chapterId), png, CancellationToken.None).ConfigureAwait(false);
        }
        ThumbnailStore.TryKeep(run.Paths, run.EpisodeId, chapterId, ContentHash.Of(png), thumbnail);
        return ManifestEntries.Card(item, card.Hash, png.LongLength, run.Time.GetUtcNow());
    }
}
