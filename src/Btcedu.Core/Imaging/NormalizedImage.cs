namespace Btcedu.Core.Imaging;

/// <summary>A 1920x1080 PNG and the size of the image it was made from.</summary>
public sealed record NormalizedImage(byte[] Png, int SourceWidth, int SourceHeight)
{
    public string SourceSize => $"{SourceWidth}x{SourceHeight}";
}
