using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Storage;

/// <summary>media_assets: one row per chapter and type (a new image replaces its row), the record read once, and what was paid learned from it.</summary>
public sealed class MediaAssetStoreTests
{
    [Fact]
    public void A_new_image_replaces_its_chapters_row_and_its_record_reads_typed()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bölüm", 2);
        var store = ws.MediaAssets;

        store.Replace(Asset("ch02", 1325, "Şeffaf bloklar"));
        store.Replace(Asset("ch02", 1400, "ikinci"));
        store.Replace(Asset("ch03", 1300, "üçüncü"));

        var rows = store.List("ep1", "image");
        Assert.Equal(["ch02", "ch03"], rows.Select(r => r.ChapterId));
        Assert.Equal(("ikinci", 1400L, "gpt-image-2"), (rows[0].Prompt, rows[0].Record.OutputTokens, rows[0].Model));
        Assert.Equal(Path.Combine(temp.Paths.EpisodeDir("ep1"), "images", "ch02.png"), rows[0].Path);
        Assert.Contains("\"prompt\":\"ikinci\"", rows[0].Metadata, StringComparison.Ordinal); // Turkish stored as it is
    }

    [Fact]
    public void What_was_paid_is_learned_from_the_settled_rows_of_the_same_shape()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bölüm", 2);
        var store = ws.MediaAssets;
        Assert.Null(store.LearnedOutputTokens("gpt-image-2", "1920x1088", "medium"));

        store.Replace(Asset("ch01", 1325, "a"));
        store.Replace(Asset("ch02", 1390, "b"));
        store.Replace(Asset("ch03", 9999, "c") with { Metadata = Asset("ch03", 9999, "c").Metadata with { CostEstimated = true } }); // estimated: not learned from
        store.Replace(Asset("ch04", 5000, "d") with { Metadata = Asset("ch04", 5000, "d").Metadata with { Quality = "high" } });  // another shape

        var learned = store.LearnedOutputTokens("gpt-image-2", "1920x1088", "medium");
        Assert.NotNull(learned);
        Assert.Equal(1390, learned!.OutputTokens);
    }

    private static NewMediaAsset Asset(string chapterId, long outputTokens, string prompt) =>
        new("ep1", chapterId, "image", $"images/{chapterId}.png", "image/png", 2_500_000, new ImageRecord
        {
            Prompt = prompt, Model = "gpt-image-2", Size = "1920x1080", RequestedSize = "1920x1088", Quality = "medium",
            CostUsd = 0.04m, TextInputTokens = 57, OutputTokens = outputTokens, ChapterHash = "sha256:aa", Attempts = 1,
        }, null);
}
