using System.Threading.Channels;
using Btcedu.Core.ImageGen;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Storage;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>What the run's workers share: which answers stop the run (and with which error), and the result objects.</summary>
public sealed class RunStateTests
{
    [Theory]
    [InlineData(ApiOutcome.KeyRejected, false, "ApiKeyRejected", BtceduErrorKind.AuthenticationError)]
    [InlineData(ApiOutcome.QuotaExhausted, false, "QuotaExhausted", BtceduErrorKind.LimitsExceeded)]
    [InlineData(ApiOutcome.ModelUnavailable, false, "ImageModelUnavailable", BtceduErrorKind.ResourceUnavailable)]
    [InlineData(ApiOutcome.ModelUnavailable, true, "LlmModelUnavailable", BtceduErrorKind.ResourceUnavailable)]
    public async Task An_answer_no_retry_can_fix_stops_the_run_once(ApiOutcome outcome, bool fromLlm, string errorId, BtceduErrorKind kind)
    {
        await using var h = await StageHarness.StartAsync();
        var run = State(h);

        var stop = run.StopFor(outcome, "the provider's words", fromLlm);
        var second = run.StopFor(ApiOutcome.KeyRejected, "later", fromLlm: false);

        Assert.Equal((errorId, kind), (stop!.ErrorId, stop.Kind));
        Assert.Contains("the provider's words", stop.Message, StringComparison.Ordinal);
        Assert.Same(stop, run.StoppedBy);
        Assert.Same(stop, second); // the first answer is the one that stopped it
    }

    [Theory]
    [InlineData(ApiOutcome.Succeeded)]
    [InlineData(ApiOutcome.ContentPolicyRejected)]
    [InlineData(ApiOutcome.RateLimited)]
    [InlineData(ApiOutcome.TimedOut)]
    [InlineData(ApiOutcome.Failed)]
    public async Task Other_answers_fail_one_chapter_at_most(ApiOutcome outcome)
    {
        await using var h = await StageHarness.StartAsync();
        var run = State(h);

        Assert.Null(run.StopFor(outcome, "m"));
        Assert.Null(run.StoppedBy);
    }

    [Theory]
    [InlineData(ApiOutcome.ContentPolicyRejected, BtceduErrorKind.InvalidData)]
    [InlineData(ApiOutcome.RateLimited, BtceduErrorKind.LimitsExceeded)]
    [InlineData(ApiOutcome.TimedOut, BtceduErrorKind.OperationTimeout)]
    [InlineData(ApiOutcome.Failed, BtceduErrorKind.InvalidResult)]
    public async Task A_failed_chapter_carries_its_outcome_and_its_error_follows_from_it(ApiOutcome outcome, BtceduErrorKind kind)
    {
        await using var h = await StageHarness.StartAsync();
        var run = State(h);
        var item = run.Plan.Items[1];

        var failed = run.Result(item, ImageStatus.Failed, 0.04m, "any words at all", outcome: outcome);
        var generated = run.Result(item, ImageStatus.Generated, 0.04m, outcome: outcome);

        Assert.Equal(outcome, failed.Outcome);
        Assert.Equal(("ImageGenerationFailed", kind), (failed.Failure()!.ErrorId, failed.Failure()!.Kind));
        Assert.Null(generated.Outcome);
        Assert.Null(generated.Failure());
    }

    private static RunState State(StageHarness h)
    {
        var ws = h.Workspace;
        return new RunState(ws.ImageGenServices, h.Stage(ws).Plan("ep1", new ImageGenSelection()), ws.Runs, ws.MediaAssets,
            DeliveryJournal.For(ws.ImageGenServices), Channel.CreateUnbounded<ImageGenEvent>().Writer);
    }
}
