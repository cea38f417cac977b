namespace Btcedu.Core.Storage;

/// <summary>A recorded version of a prompt template (a row of <c>prompt_versions</c>).</summary>
public sealed record PromptVersion(
    long Id,
    string Name,
    int Version,
    string ContentHash,
    string TemplatePath,
    string? Model,
    double? Temperature,
    int? MaxTokens,
    bool IsDefault,
    DateTimeOffset CreatedAt,
    string? Notes);
