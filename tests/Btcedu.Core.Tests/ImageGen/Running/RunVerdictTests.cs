using System.Threading.Channels;
using Btcedu.Core.Episodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Storage;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.OpenAi;

namespace Btcedu.Core.Tests.ImageGen;

public sealed class RunVerdictTests
{
    private static readonly string[] Chapters = ["ch01", "ch02", "ch03", "ch04"];
    private static readonly HashSet<string> Skipped = ["ch01"]; // a title card

    public static TheoryData<string, bool, bool, string, string, string, bool, bool> Table => new()
    {
        // results (G generated, U unchanged, F failed, L cost-limited, S skipped), cancelled, stopped → episode, run, satisfied, stage satisfied, invalidates
        { "S G G G", false, false, "IMAGES_GENERATED", PipelineRunStatus.Success, "ch02 ch03 ch04", true, true },
        { "S U U U", false, false, "IMAGES_GENERATED", PipelineRunStatus.Success, "ch02 ch03 ch04", true, false },
        { "S G F U", false, false, "IMAGES_GENERATED", PipelineRunStatus.Partial, "ch02 ch04", false, true },
        { "S F F F", false, false, "CHAPTERIZED", PipelineRunStatus.Failed, "", false, false },
        { "S G L L", false, false, "COST_LIMIT", PipelineRunStatus.CostLimited, "ch02", false, true },
        { "S G G G", true, false, "CHAPTERIZED", PipelineRunStatus.Cancelled, "", false, false },
        { "S G S S", false, true, "CHAPTERIZED", PipelineRunStatus.Failed, "ch02", false, true },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void A_run_ends_as_its_results_say(string results, bool cancelled, bool stopped, string episode, string run, string satisfied, bool stageSatisfied, bool invalidates)
    {
        var statuses = results.Split(' ').Select((s, i) => (Chapters[i], s switch
        {
            "G" => ImageStatus.Generated, "U" => ImageStatus.Unchanged, "F" => ImageStatus.Failed, "L" => ImageStatus.CostLimited, _ => ImageStatus.Skipped,
        })).ToList();

        var verdict = RunVerdict.Of(EpisodeStatus.CHAPTERIZED, 1m, cancelled, stopped ? new BtceduException("ApiKeyRejected", BtceduErrorKind.AuthenticationError, "stopped") : null,
            Skipped, Chapters, statuses);

        Assert.Equal((Enum.Parse<EpisodeStatus>(episode), run), (verdict.EpisodeStatus, verdict.RunStatus));
        Assert.Equal(satisfied, string.Join(' ', verdict.SatisfiedChapters));
        Assert.Equal((stageSatisfied, invalidates), (verdict.StageSatisfied, verdict.InvalidatesDownstream));
        Assert.Equal(run is PipelineRunStatus.Success or PipelineRunStatus.Cancelled, verdict.Error is null);
    }

    [Fact]
    public async Task The_stage_runs_on_in_memory_providers_and_reports_in_chapter_order()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(8, _ => "diagram", i => $"istem {i}"));
        var images = new InMemoryImageGenService();
        images.Answer = r => r.Prompt.EndsWith("istem 3", StringComparison.Ordinal)
            ? InMemoryImageGenService.Failed(r, ApiOutcome.ContentPolicyRejected, "rejected")
            : InMemoryImageGenService.Succeeded(r, 0.05m);
        var channel = Channel.CreateUnbounded<ImageGenEvent>();

        var run = h.StartRun(new ImageGenSelection { ThrottleLimit = 4 }, channel.Writer, CancellationToken.None, providers: new ImageGenProviders(images, new InMemoryTextGenService()));
        var results = new List<ImageGenChapterResult>();
        await foreach (var e in channel.Reader.ReadAllAsync())
        {
            if (e is ChapterCompleted c)
            {
                results.Add(c.Result);
            }
        }
        var summary = await run;

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"ch{i:00}"), results.Select(r => r.ChapterId));
        Assert.Equal((7, 1), (summary.Generated, summary.Failed));
        Assert.Equal(8, images.Requests.Count);
        Assert.Equal(7 * 0.05m, summary.CostUsd);
        Assert.Empty(h.Server.Requests); // nothing went over HTTP
    }
}
