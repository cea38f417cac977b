using Btcedu.Core.ImageGen;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>A run refused for a precondition writes nothing: no row in any table, no file, not even the lock file.</summary>
public sealed class ImageGenPlannerTests
{
    [Theory]
    [InlineData("LlmPriceUnknown")]
    [InlineData("ChapterNotFound")]
    [InlineData("OpenAiApiKeyMissing")]
    [InlineData("ImageModelUnsupported")]
    [InlineData("EpisodeNotFound")]
    public async Task A_refused_run_writes_nothing(string errorId)
    {
        await using var h = await StageHarness.StartAsync();
        var selection = new ImageGenSelection();
        var episode = "ep1";
        switch (errorId)
        {
            case "LlmPriceUnknown": h.Environment["BTCEDU_LLM_MODEL"] = "gpt-unpriced"; break;
            case "ChapterNotFound": selection = new ImageGenSelection { Named = ["ch02", "ch99"] }; break;
            case "OpenAiApiKeyMissing": h.Environment["OPENAI_API_KEY"] = null; break;
            case "ImageModelUnsupported": h.Environment["BTCEDU_IMAGE_MODEL"] = "dall-e-2"; break;
            case "EpisodeNotFound": episode = "ep2"; break;
        }
        var ws = h.Workspace;
        var files = h.Temp.Snapshot();
        var rows = RowCounts(ws.Database);

        var e = Assert.Throws<BtceduException>(() => h.Stage(ws).Prepare(episode, selection)); // Core checks the key too

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(rows, RowCounts(ws.Database));
        Assert.Equal(files, h.Temp.Snapshot());
        Assert.Empty(h.Server.Requests);
    }

    /// <summary>The preconditions of issue 12 item 5: each refusal leaves a byte-identical workspace and database.</summary>
    [Theory]
    [InlineData("EpisodeNotV2")]
    [InlineData("EpisodeNotChapterized")]
    [InlineData("ChaptersNotImported")]
    [InlineData("EpisodeLocked")]
    [InlineData("ModelRetired")]
    public async Task A_run_refused_for_a_pipeline_precondition_writes_nothing(string errorId)
    {
        await using var h = await StageHarness.StartAsync();
        var ws = h.Workspace;
        var episode = "ep1";
        EpisodeLock? held = null;
        switch (errorId)
        {
            case "EpisodeNotV2": ws.Episodes.Create("old", "Eski", 1); episode = "old"; break;
            case "EpisodeNotChapterized": ws.Episodes.Create("ep2", "Yeni", 2); episode = "ep2"; break;
            case "ChaptersNotImported": File.Delete(h.Temp.Paths.ChaptersFile("ep1")); break;
            case "EpisodeLocked": held = EpisodeLock.Acquire(h.Temp.Paths.LockFile("ep1"), "ep1", TimeProvider.System); break;
            case "ModelRetired":
                // OpenAI's own endpoint refuses a shut-down model before anything is locked or called (Prepare calls nothing).
                h.Environment["OPENAI_BASE_URL"] = "https://api.openai.com/v1";
                h.Environment["BTCEDU_IMAGE_MODEL"] = "dall-e-3";
                ws = h.Workspace;
                break;
        }
        using var _ = held;
        var files = Files(h.Temp.Root);
        var rows = RowCounts(ws.Database);

        var e = Assert.Throws<BtceduException>(() => h.Stage(ws).Prepare(episode, new ImageGenSelection()));

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(rows, RowCounts(ws.Database));
        Assert.Equal(files, Files(h.Temp.Root));
        Assert.Empty(h.Server.Requests);
    }

    /// <summary>Every file's bytes, except a held lock file (which cannot be read while held, and is never written).</summary>
    private static Dictionary<string, string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("-shm", StringComparison.Ordinal) && !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith(".imagegen.lock", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    [Theory]
    [InlineData("LlmPriceUnknown")]
    [InlineData("ChapterNotFound")]
    public async Task The_planner_records_the_prompt_version_only_after_every_check(string errorId)
    {
        await using var h = await StageHarness.StartAsync();
        if (errorId == "LlmPriceUnknown")
        {
            h.Environment["BTCEDU_LLM_MODEL"] = "gpt-unpriced";
        }
        var ws = h.Workspace;
        var planner = new ImageGenPlanner(ws.ImageGenServices, new Prompts.PromptRegistry(StageHarness.PromptsDirectory, new PromptVersionStore(ws.Database)), new PipelineRunStore(ws.Database));
        var rows = RowCounts(ws.Database);

        var e = Assert.Throws<BtceduException>(() => planner.Plan("ep1", new ImageGenSelection { Named = errorId == "ChapterNotFound" ? ["ch99"] : null }, record: true));

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(rows, RowCounts(ws.Database));
    }

    /// <summary>Every table's row count (prompt_versions, pipeline_runs, media_assets, episodes, schema_migrations…).</summary>
    private static Dictionary<string, long> RowCounts(Database db)
    {
        using var connection = db.Connect();
        var tables = connection.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", r => r.GetString(0));
        Assert.Contains("prompt_versions", tables);
        return tables.ToDictionary(t => t, t => connection.ScalarLong($"SELECT COUNT(*) FROM \"{t}\""));
    }
}
