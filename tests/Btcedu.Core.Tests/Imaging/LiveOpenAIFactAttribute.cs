namespace Btcedu.Core.Tests.Imaging;

/// <summary>
/// A fact that calls the real OpenAI API and costs money, so it is skipped unless BTCEDU_LIVE_OPENAI=1 and
/// OPENAI_API_KEY are both set. See docs/image-service.md.
/// </summary>
public sealed class LiveOpenAIFactAttribute : FactAttribute
{
    public LiveOpenAIFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("BTCEDU_LIVE_OPENAI") != "1" || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENAI_API_KEY")))
        {
            Skip = "Live OpenAI call: set BTCEDU_LIVE_OPENAI=1 and OPENAI_API_KEY to run it (costs about $0.011).";
        }
    }
}
