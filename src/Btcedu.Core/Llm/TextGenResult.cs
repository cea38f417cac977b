using Btcedu.Core.OpenAi;
namespace Btcedu.Core.Llm;

/// <summary>
/// What one text request produced. <see cref="CostUsd"/> comes from the reported token usage and the
/// model's price; 0 when the API returned no completion.
/// </summary>
public sealed record TextGenResult
{
    public required ApiOutcome Outcome { get; init; }
    /// <summary>The completion's text; null unless Succeeded.</summary>
    public string? Text { get; init; }
    public int? InputTokens { get; init; }
    public int? OutputTokens { get; init; }
    public decimal CostUsd { get; init; }
    public int Attempts { get; init; }

    /// <summary>For people: what went wrong and what to do. Never holds a secret.</summary>
    public string? ErrorMessage { get; init; }

    public bool Succeeded => Outcome == ApiOutcome.Succeeded;
}
