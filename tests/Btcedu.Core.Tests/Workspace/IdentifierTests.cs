using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Workspace;

/// <summary>Ids become file names (issue 11, item 11): exact shape, no Windows device names, no case-only twins.</summary>
public class IdentifierTests
{
    [Theory]
    [InlineData("ch02\n")]
    [InlineData("ch02\r\n")]
    [InlineData("\nch02")]
    [InlineData("ch 02")]
    [InlineData("")]
    public void Line_breaks_and_spaces_never_pass(string id)
    {
        Assert.False(Identifier.IsValid(id));
        Assert.Equal("InvalidChapterId", Assert.Throws<BtceduException>(() => Identifier.Require(id, "chapter id")).ErrorId);
    }

    [Theory]
    [InlineData("CON")]
    [InlineData("con")]
    [InlineData("Nul")]
    [InlineData("PRN")]
    [InlineData("aux")]
    [InlineData("COM1")]
    [InlineData("com9")]
    [InlineData("LPT1")]
    [InlineData("lpt0")]
    public void Windows_device_names_are_refused_in_any_case(string id)
    {
        Assert.False(Identifier.IsValid(id));
        var e = Assert.Throws<BtceduException>(() => Identifier.Require(id, "episode id"));
        Assert.Equal("InvalidEpisodeId", e.ErrorId);
        Assert.Equal(BtceduErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("reserved device name", e.Message, StringComparison.Ordinal);
        Assert.Equal(id, e.Target);
    }

    [Theory]
    [InlineData("CONSOLE")]
    [InlineData("com10")]
    [InlineData("con_1")]
    [InlineData("nul-x")]
    public void Names_that_only_start_like_a_device_are_fine(string id) => Assert.True(Identifier.IsValid(id));

    [Fact]
    public void A_wildcard_pattern_is_named_as_such()
    {
        var e = Assert.Throws<BtceduException>(() => Identifier.Require("bar*", "episode id"));
        Assert.Equal("InvalidEpisodeId", e.ErrorId);
        Assert.Contains("wildcard", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chapter_ids_that_differ_only_in_case_are_refused_with_their_path()
    {
        var json = ChapterJson.Valid();
        json.Chapter(3)["chapter_id"] = "CH02";
        var problems = Assert.Throws<Btcedu.Core.Chapters.ChapterDocumentException>(() =>
            Btcedu.Core.Chapters.ChapterDocumentReader.Parse(System.Text.Encoding.UTF8.GetBytes(ChapterJson.Text(json)), "chapters.json")).Problems;
        var p = Assert.Single(problems);
        Assert.Equal("chapters[3].chapter_id", p.Path);
        Assert.Contains("differs only in case from 'ch02' (chapters[1])", p.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chapter_id", "nul", "chapters[0].chapter_id")]
    [InlineData("chapter_id", "ch01\n", "chapters[0].chapter_id")]
    public void A_chapter_document_refuses_bad_chapter_ids_with_their_path(string field, string value, string path)
    {
        var json = ChapterJson.Valid();
        json.Chapter(0)[field] = value;
        var problems = Assert.Throws<Btcedu.Core.Chapters.ChapterDocumentException>(() =>
            Btcedu.Core.Chapters.ChapterDocumentReader.Parse(System.Text.Encoding.UTF8.GetBytes(ChapterJson.Text(json)), "chapters.json")).Problems;
        Assert.Contains(problems, p => p.Path == path);
    }

    [Fact]
    public void A_document_with_a_device_name_as_episode_id_is_refused()
    {
        var problems = Assert.Throws<Btcedu.Core.Chapters.ChapterDocumentException>(() =>
            Btcedu.Core.Chapters.ChapterDocumentReader.Parse(System.Text.Encoding.UTF8.GetBytes(ChapterJson.Text(ChapterJson.Valid("AUX"))), "chapters.json")).Problems;
        Assert.Contains(problems, p => p.Path == "episode_id" && p.Message.Contains("reserved device name", StringComparison.Ordinal));
    }

    [Fact]
    public void A_new_episode_may_not_differ_only_in_case_from_an_existing_one()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("demo", "Demo", 2);
        var e = Assert.Throws<BtceduException>(() => ws.Episodes.Create("DEMO", "Demo again", 2));
        Assert.Equal("EpisodeIdCaseConflict", e.ErrorId);
        Assert.Equal("DEMO", e.Target);
        Assert.Contains("'demo'", e.Message, StringComparison.Ordinal);
        Assert.Single(ws.Episodes.List());
    }

    [Fact]
    public void An_import_may_not_create_an_episode_that_differs_only_in_case()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("ep1", "Episode one", 2);
        var file = temp.WriteFile("in/chapters.json", ChapterJson.Text(ChapterJson.Valid("EP1")));
        var before = temp.Snapshot();
        var e = Assert.Throws<BtceduException>(() => ws.Importer.Plan(file, null));
        Assert.Equal("EpisodeIdCaseConflict", e.ErrorId);
        Assert.Equal(before, temp.Snapshot());
    }

    [Fact]
    public void Creating_an_episode_checks_its_id_in_core()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        Assert.Equal("InvalidEpisodeId", Assert.Throws<BtceduException>(() => ws.Episodes.Create("CON", "Console", 2)).ErrorId);
        Assert.Equal("InvalidEpisodeId", Assert.Throws<BtceduException>(() => ws.Episodes.Create("ep1\n", "Newline", 2)).ErrorId);
        Assert.Empty(ws.Episodes.List());
    }

    [Fact]
    public void Looking_up_an_id_in_the_wrong_case_says_which_episode_exists()
    {
        using var temp = new TempWorkspace();
        var ws = temp.Open();
        ws.Episodes.Create("demo", "Demo", 2);
        var e = Assert.Throws<BtceduException>(() => ws.Episodes.Get("Demo"));
        Assert.Equal("EpisodeNotFound", e.ErrorId);
        Assert.Contains("case-sensitive", e.Message, StringComparison.Ordinal);
    }
}
