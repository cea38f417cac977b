using Btcedu.Core.Models;

namespace Btcedu.Core.ImageGen;

/// <summary>What an image call answered besides the image itself, journaled so that a later run can place it unpaid.</summary>
internal sealed record JournaledAnswer
{
    public required string Prompt { get; init; }
    public string? RevisedPrompt { get; init; }
    public ImageTokenUsage? Usage { get; init; }
    /// <summary>The image call's price (the provider's bill).</summary>
    public decimal ImageCostUsd { get; init; }
    public bool CostEstimated { get; init; }
    public int Attempts { get; init; }
    /// <summary>The chapter's price: the image call plus the prompt the LLM wrote for it.</summary>
    public decimal CostUsd { get; init; }
}
