using System.Collections.Concurrent;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.OpenAi;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>
/// In-memory providers for stage tests that are not about HTTP or timing: each request is answered at once by
/// <see cref="Answer"/> (a real 1920x1088 PNG, as gpt-image-2 delivers, by default) and recorded.
/// </summary>
public sealed class InMemoryImageGenService : IImageGenService
{
    private static readonly byte[] Png = TestImages.Png(1920, 1088);

    public ConcurrentQueue<ImageGenRequest> Requests { get; } = new();

    /// <summary>The answer to a request; by default a successful image at $0.05.</summary>
    public Func<ImageGenRequest, ImageGenResult> Answer { get; set; } = request => Succeeded(request, 0.05m);

    public static ImageGenResult Succeeded(ImageGenRequest request, decimal cost) =>
        new() { Outcome = ApiOutcome.Succeeded, Image = Png, Attempts = 1, CostUsd = cost };

    public static ImageGenResult Failed(ImageGenRequest request, ApiOutcome outcome, string message) =>
        new() { Outcome = outcome, Attempts = 1, ErrorMessage = message };

    public Task<ImageGenResult> GenerateImageAsync(ImageGenRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        return Task.FromResult(Answer(request));
    }
}

public sealed class InMemoryTextGenService : ITextGenService
{
    public ConcurrentQueue<TextGenRequest> Requests { get; } = new();

    public Task<TextGenResult> CompleteAsync(TextGenRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        return Task.FromResult(new TextGenResult { Outcome = ApiOutcome.Succeeded, Text = "an in-memory prompt", InputTokens = 10, OutputTokens = 5, CostUsd = 0.0001m, Attempts = 1 });
    }
}
