using Btcedu.Core.ImageGen;

namespace Btcedu.Core.Tests.ImageGen;

public sealed class ImageGenPlanTests
{
    [Theory]
    [InlineData(10, 8)]      // room for all
    [InlineData(0.10, 2)]    // $0.04075 each: two fit in $0.10
    [InlineData(0.04, 0)]
    public async Task The_plan_says_how_many_chapters_fit_under_the_cap_and_the_dry_run_says_it_too(double cap, int fits)
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(8, _ => "diagram", i => $"istem {i}"));

        var plan = h.Stage().Plan("ep1", new ImageGenSelection { MaxCostUsd = (decimal)cap });

        Assert.Equal(fits, plan.ChaptersThatFit);
        var text = plan.Describe();
        Assert.StartsWith("Episode 'ep1': generate 8 of 8 chapter image(s) with gpt-image-2 1920x1088 medium (cropped to 1920x1080), about 1325 output tokens per image (the catalogue's rule), estimated $0.326", text, StringComparison.Ordinal);
        Assert.Equal(fits < 8, text.Contains($"about {fits} of them fit", StringComparison.Ordinal));
        Assert.Contains("  ch08 (diagram): no image yet, $0.041", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paced_plan_shows_the_least_time_the_pace_allows()
    {
        await using var h = await StageHarness.StartAsync(StageHarness.Document(11, _ => "diagram", i => $"istem {i}"));
        h.Environment["BTCEDU_IMAGE_RATE_LIMIT_PER_MINUTE"] = "5";

        var plan = h.Stage().Plan("ep1", new ImageGenSelection());

        Assert.Equal(TimeSpan.FromMinutes(2), plan.PacedDuration); // 11 calls at 5 a minute: 5 now, 5 after a minute, 1 after two
        Assert.Contains("Paced at 5 image(s) per minute: at least 2 minute(s)", plan.Describe(), StringComparison.Ordinal);
    }
}
