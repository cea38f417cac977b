using Btcedu.Core.Chapters;
using Btcedu.Core.Llm;
using Btcedu.Core.Prompts;

namespace Btcedu.Core.ImageGen;

/// <summary>The LLM request that writes a chapter's image prompt from the imagegen template.</summary>
internal static class PromptRequest
{
    public static TextGenRequest For(PromptTemplate template, string episodeTitle, Chapter chapter, string llmModel)
    {
        var (system, user) = template.Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["episode_title"] = episodeTitle,
            ["chapter_title"] = chapter.Title,
            ["visual_type"] = chapter.VisualType.ToString(),
            ["visual_description"] = chapter.VisualDescription,
            ["narration"] = chapter.NarrationText,
        });
        return new TextGenRequest(llmModel, system, user, template.Temperature, template.MaxTokens);
    }
}
