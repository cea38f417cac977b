namespace Btcedu.Core.Imaging;

/// <summary>
/// The only seam to an image provider. Implementations turn API failures into <see cref="ImageGenResult"/>
/// outcomes and throw only for programming errors, invalid requests (before any call) and cancellation,
/// so a second provider is added by implementing this interface alone.
/// </summary>
public interface IImageGenService
{
    Task<ImageGenResult> GenerateImageAsync(ImageGenRequest request, CancellationToken cancellationToken);
}
