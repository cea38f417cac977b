namespace Btcedu.Core.Imaging;

/// <summary>A 1920x1080 PNG, the size of the image it was made from, and its 480x270 JPEG thumbnail (made from the decoded pixels).</summary>
public sealed record NormalizedImage(byte[] Png, int SourceWidth, int SourceHeight)
{
    public string SourceSize => $"{SourceWidth}x{SourceHeight}";

    /// <summary>The gallery's thumbnail of the frame; null when it could not be encoded.</summary>
    public byte[]? Thumbnail { get; init; }
}
