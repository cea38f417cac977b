namespace Btcedu.Core.Storage;

/// <summary>What the prompt_versions table records of a template: its name, content hash, file and model parameters.</summary>
public sealed record NewPromptVersion(string Name, string ContentHash, string TemplatePath, string? Model, double Temperature, int MaxTokens, string? Notes);
