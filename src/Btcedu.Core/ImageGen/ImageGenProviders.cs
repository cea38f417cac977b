using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;

namespace Btcedu.Core.ImageGen;

/// <summary>What a run with work calls: the image service and the LLM that writes prompts. Disposes both.</summary>
public sealed class ImageGenProviders(IImageGenService images, ITextGenService text) : IDisposable
{
    public IImageGenService Images { get; } = images;
    public ITextGenService Text { get; } = text;

    public void Dispose()
    {
        (Images as IDisposable)?.Dispose();
        (Text as IDisposable)?.Dispose();
    }
}
