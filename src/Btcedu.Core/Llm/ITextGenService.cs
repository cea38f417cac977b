namespace Btcedu.Core.Llm;

/// <summary>
/// Text generation for image prompts. Like the image service, API failures come back as
/// <see cref="TextGenResult"/> outcomes; only invalid requests (before any call), programming errors and
/// cancellation throw.
/// </summary>
public interface ITextGenService
{
    Task<TextGenResult> CompleteAsync(TextGenRequest request, CancellationToken cancellationToken);
}
