using System.Text.Json;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Settings;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>A chapter's prompt: its own with the style prefix, the LLM's from the template, or the one an earlier attempt already paid for.</summary>
public sealed class PromptWriterTests
{
    [Fact]
    public async Task Given_prompts_are_sent_with_the_style_prefix_and_the_llm_writes_the_others_from_the_template()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync(new ImageGenSelection { ThrottleLimit = 1 });

        var prompts = h.ImageRequests.Select(StageHarness.PromptOf).ToList();
        Assert.Equal(4, prompts.Count);
        Assert.All(prompts, p => Assert.StartsWith(BtceduSettings.DefaultStylePrefix + " ", p, StringComparison.Ordinal));
        Assert.Contains(prompts, p => p.EndsWith("Verilen istem 3: şeffaf bloklar", StringComparison.Ordinal));
        Assert.Equal(2, prompts.Count(p => p.EndsWith("Flat vector diagram of linked blocks, orange accents, no text", StringComparison.Ordinal)));

        Assert.Equal(2, h.ChatRequests.Count);
        var chat = h.ChatRequests[0].Body;
        Assert.Contains("Diagram number 2 of blocks linked by hashes", chat, StringComparison.Ordinal);
        Assert.Contains("şifreleme", JsonDocument.Parse(chat).RootElement.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("{{", chat, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_of_a_failed_chapter_reuses_the_prompt_the_llm_already_wrote()
    {
        await using var h = await StageHarness.StartAsync(); // ch02 and ch04 have no prompt: the LLM writes theirs
        h.Server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ContentPolicy());
        await h.RunAsync();
        Assert.Equal(2, h.ChatRequests.Count);
        var firstPrompts = h.ImageRequests.Select(StageHarness.PromptOf).ToHashSet();
        h.Server.Reset();
        h.Server.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.Chat("a different prompt the LLM would write now"));

        var (summary, _) = await h.RunAsync();

        Assert.Equal(4, summary.Generated);
        Assert.Empty(h.ChatRequests);                                            // not bought again
        Assert.All(h.ImageRequests, r => Assert.Contains(StageHarness.PromptOf(r), firstPrompts));
    }
}
