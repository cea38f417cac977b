namespace Btcedu.Core.Models;

/// <summary>API shapes: what sizes, qualities, styles and response formats a model takes, and how it bills.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum ImageModelFamily
{
    /// <summary>dall-e-3: fixed sizes, standard|hd, vivid|natural, billed per image. OpenAI shut it down on 2026-05-12.</summary>
    DallE3,
    /// <summary>gpt-image-1 family: fixed sizes, low|medium|high|auto, base64 only, no style.</summary>
    GptImage,
    /// <summary>gpt-image-2 family: custom sizes (multiples of 16, long edge ≤ 3840, ratio ≤ 3:1, 655,360–8,294,400 pixels), billed by tokens.</summary>
    GptImage2,
}
