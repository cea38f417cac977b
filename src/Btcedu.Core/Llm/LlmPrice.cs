namespace Btcedu.Core.Llm;

/// <summary>USD per million input and output tokens.</summary>
public sealed record LlmPrice(decimal InputPerMillionUsd, decimal OutputPerMillionUsd)
{
    public decimal Cost(int inputTokens, int outputTokens) =>
        ((inputTokens * InputPerMillionUsd) + (outputTokens * OutputPerMillionUsd)) / 1_000_000m;
}
