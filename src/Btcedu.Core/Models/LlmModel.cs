namespace Btcedu.Core.Models;

/// <summary>A text model of the catalogue: its token prices (USD per million) and lifecycle.</summary>
public sealed record LlmModel(string Name, decimal InputPerMillionUsd, decimal OutputPerMillionUsd, ModelLifecycle Lifecycle)
{
    public decimal Cost(long inputTokens, long outputTokens) =>
        ((inputTokens * InputPerMillionUsd) + (outputTokens * OutputPerMillionUsd)) / 1_000_000m;

    /// <summary>The most a call may cost: the prompt's tokens (estimated) and every allowed output token.</summary>
    public decimal MaxCost(long inputTokens, long maxOutputTokens) => Cost(inputTokens, maxOutputTokens);
}
