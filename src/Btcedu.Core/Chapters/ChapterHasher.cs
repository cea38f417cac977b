using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Chapters;

/// <summary>Everything outside the chapter that changes its image.</summary>
public sealed record ImageHashInputs(string StylePrefix, string Model, string Size, string Quality, string? Style, string TemplateHash, string LlmModel);

/// <summary>
/// "sha256:…" over everything that changes a chapter's image: its title, visual type, description and
/// image_prompt, the style prefix, model, size, quality and style, and, only when the LLM writes the prompt,
/// the narration text, the template's hash and the LLM model (they cannot change a given prompt).
/// Overlays, transitions and notes do not touch the image and are left out.
/// </summary>
public static class ChapterHasher
{
    public static string Hash(Chapter chapter, ImageHashInputs inputs)
    {
        var llmWrites = chapter.ImagePrompt is null;
        // A JSON array is an unambiguous encoding: no field can bleed into the next.
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new object?[]
        {
            "v1", chapter.Title, chapter.VisualType.ToString(), chapter.VisualDescription, chapter.ImagePrompt,
            llmWrites ? chapter.NarrationText : null, inputs.StylePrefix, inputs.Model, inputs.Size, inputs.Quality, inputs.Style,
            llmWrites ? inputs.TemplateHash : null, llmWrites ? inputs.LlmModel : null,
        });
        return ContentHash.Of(canonical);
    }
}
