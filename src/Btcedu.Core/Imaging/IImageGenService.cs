namespace Btcedu.Core.Imaging;

/// <summary>
/// The only seam to an image provider. Implementations turn API failures into <see cref="ImageGenResult"/>
/// outcomes and throw only for programming errors, invalid requests (before any call) and cancellation,
/// so a second provider is added by implementing this interface alone. A result carries the image as delivered; the
/// image run decodes and normalises it itself, after the call has given its slot back.
/// </summary>
public interface IImageGenService
{
    Task<ImageGenResult> GenerateImageAsync(ImageGenRequest request, CancellationToken cancellationToken);
}
