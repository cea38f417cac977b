namespace Btcedu.Core.OpenAi;

/// <summary>Why the provider's moderation blocked an image: its stage ("input": the prompt, "output": the image) and categories.</summary>
public sealed record ModerationDetails(string? Stage, IReadOnlyList<string> Categories)
{
    /// <summary>"input; categories: violence" — the words an operator reads on the failed chapter.</summary>
    public string Describe() =>
        $"moderation stage {Stage ?? "unknown"}; categories: {(Categories.Count == 0 ? "none given" : string.Join(", ", Categories))}";
}
