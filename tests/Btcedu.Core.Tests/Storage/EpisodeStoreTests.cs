using Btcedu.Core.Episodes;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Storage;

/// <summary>episodes: exact, case-sensitive ids that never clash by case; statuses and their recorded changes.</summary>
public sealed class EpisodeStoreTests
{
    [Fact]
    public void Ids_are_exact_and_ids_that_differ_only_in_case_cannot_both_exist()
    {
        using var temp = new TempWorkspace();
        var episodes = temp.Open().Episodes;
        episodes.Create("ep1", "Bitcoin Nedir?", 2);

        Assert.Null(episodes.Find("EP1"));
        Assert.Equal("ep1", episodes.FindOtherCase("EP1"));
        Assert.Equal("EpisodeExists", Assert.Throws<BtceduException>(() => episodes.Create("ep1", "again", 2)).ErrorId);
        var clash = Assert.Throws<BtceduException>(() => episodes.Create("EP1", "case", 2));
        Assert.Contains("ep1", clash.Message, StringComparison.Ordinal);
        Assert.Equal("EpisodeNotFound", Assert.Throws<BtceduException>(() => episodes.Get("EP1")).ErrorId);
        Assert.Equal("InvalidPipelineVersion", Assert.Throws<BtceduException>(() => episodes.Create("ep3", "v3", 3)).ErrorId);
        Assert.Equal(["ep1"], episodes.List().Select(e => e.Id));
    }

    [Fact]
    public void A_status_change_with_a_reason_is_recorded()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Bitcoin Nedir?", 2, EpisodeStatus.IMAGES_GENERATED);

        var after = ws.Episodes.ChangeStatus("ep1", EpisodeStatus.CHAPTERIZED, "chapters changed upstream");

        Assert.Equal(EpisodeStatus.CHAPTERIZED, after.Status);
        Assert.Equal(EpisodeStatus.CHAPTERIZED, ws.Episodes.Get("ep1").Status);
        Assert.Equal("EpisodeNotFound", Assert.Throws<BtceduException>(() => ws.Episodes.ChangeStatus("nope", EpisodeStatus.NEW, "x")).ErrorId);
    }
}
