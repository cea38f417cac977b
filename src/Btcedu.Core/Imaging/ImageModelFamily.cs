namespace Btcedu.Core.Imaging;

/// <summary>Model families whose request shapes differ (sizes, qualities, style, response format).</summary>
public enum ImageModelFamily
{
    /// <summary>dall-e-3: 1024x1024/1792x1024/1024x1792, standard|hd, vivid|natural. OpenAI retired it on 2026-05-12.</summary>
    DallE3,
    /// <summary>gpt-image-*: 1024x1024/1536x1024/1024x1536, low|medium|high|auto, base64 only, token usage, no style.</summary>
    GptImage,
}
