namespace Btcedu.Core.Llm;

/// <summary>One chat completion: a system and a user message, sampling temperature and an output token cap.</summary>
public sealed record TextGenRequest(string Model, string SystemPrompt, string UserPrompt, double Temperature, int MaxTokens);
