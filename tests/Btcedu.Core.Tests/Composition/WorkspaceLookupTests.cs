using Btcedu.Core.Composition;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Composition;

/// <summary>Completion's view of a workspace: read-only, and silent rather than failing.</summary>
public sealed class WorkspaceLookupTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public void A_workspace_without_a_database_answers_nothing_and_gets_no_database()
    {
        using var ws = new TempWorkspace();
        var lookup = new WorkspaceLookup(ws.Root, NoEnvironment);

        Assert.Empty(lookup.Episodes());
        Assert.Empty(lookup.Chapters("ep1"));
        Assert.Null(Database.OpenReadOnly(ws.Paths.DatabasePath, TimeProvider.System));
        Assert.False(Directory.Exists(ws.Paths.DataDir));
    }

    [Fact]
    public void Episodes_come_from_the_store_and_the_file_is_not_changed()
    {
        using var ws = new TempWorkspace();
        ws.Open().Episodes.Create("ep2", "İkinci", 2);
        ws.Open().Episodes.Create("ep1", "Birinci", 2);
        var before = File.ReadAllBytes(ws.Paths.DatabasePath);

        var episodes = new WorkspaceLookup(ws.Root, NoEnvironment).Episodes();

        Assert.Equal(["ep1", "ep2"], episodes.Select(e => e.Id));
        Assert.Equal("Birinci", episodes[0].Title);
        Assert.Equal(before, File.ReadAllBytes(ws.Paths.DatabasePath));
    }

    [Fact]
    public void A_file_that_is_not_a_database_answers_nothing()
    {
        using var ws = new TempWorkspace();
        ws.WriteFile("data/btcedu.db", "not sqlite");

        Assert.Empty(new WorkspaceLookup(ws.Root, NoEnvironment).Episodes());
    }

    [Fact]
    public void Chapters_of_an_invalid_id_or_an_unreadable_document_are_none()
    {
        using var ws = new TempWorkspace();
        ws.WriteFile("data/outputs/ep1/chapters.json", "{ broken");
        var lookup = new WorkspaceLookup(ws.Root, NoEnvironment);

        Assert.Empty(lookup.Chapters("ep1"));
        Assert.Empty(lookup.Chapters("../ep1"));
        Assert.Empty(lookup.Chapters(null));
    }

    [Fact]
    public void A_settings_file_the_run_would_refuse_still_lists_the_shipped_models()
    {
        using var ws = new TempWorkspace();
        ws.WriteFile("btcedu.yaml", "image_throttle_limit: lots\n");

        Assert.Contains(new WorkspaceLookup(ws.Root, NoEnvironment).ImageModels(), m => m.Name == "gpt-image-2");
        Assert.Equal("correct", WorkspaceLookup.StageNames[0]);
    }
}
