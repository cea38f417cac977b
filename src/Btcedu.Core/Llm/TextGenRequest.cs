using Btcedu.Core.Models;

namespace Btcedu.Core.Llm;

/// <summary>One chat completion: a system and a user message, sampling temperature and an output token cap.</summary>
public sealed record TextGenRequest(string Model, string SystemPrompt, string UserPrompt, double Temperature, int MaxTokens)
{
    /// <summary>
    /// The most this call can cost, reserved against the cap before it is made: every allowed output token, and the
    /// prompt at one token per two UTF-8 bytes (more than any tokenizer yields for Turkish or English text).
    /// </summary>
    public decimal MaxCostUsd(LlmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var promptBytes = System.Text.Encoding.UTF8.GetByteCount(SystemPrompt ?? "") + System.Text.Encoding.UTF8.GetByteCount(UserPrompt ?? "");
        return model.MaxCost((promptBytes + 1) / 2, MaxTokens);
    }
}
