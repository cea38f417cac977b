using Btcedu.Core.Imaging;
using Btcedu.Core.Workspace;
using Xunit.Abstractions;

namespace Btcedu.Core.Tests.Imaging;

/// <summary>One real call, for a manual check of the key, the endpoint and the SDK against the live API.</summary>
public sealed class LiveOpenAITests(ITestOutputHelper output)
{
    [LiveOpenAIFact]
    public async Task One_low_quality_square_image_from_the_real_api()
    {
        var environment = SettingsLoader.ProcessEnvironment();
        var settings = SettingsLoader.ApplyEnvironment(new BtceduSettings { ImageSize = "1024x1024", ImageQuality = "low" }, environment);
        var profile = ImageRequestProfile.Resolve(settings);
        using var service = new OpenAIImageGenService(settings, log: output.WriteLine);

        var result = await service.GenerateImageAsync(profile.ToRequest(settings.ImageStylePrefix + " A single Bitcoin coin on a desk."), CancellationToken.None);

        var file = Path.Combine(Path.GetTempPath(), "btcedu-live-image.png");
        if (result.Png is { } png)
        {
            await File.WriteAllBytesAsync(file, png);
        }
        output.WriteLine($"{result.Outcome} {result.SourceSize} ${result.CostUsd} {result.Latency} tokens {result.InputTokens}/{result.OutputTokens} {result.ErrorMessage} → {file}");
        Assert.Equal(ImageGenOutcome.Succeeded, result.Outcome);
    }
}
