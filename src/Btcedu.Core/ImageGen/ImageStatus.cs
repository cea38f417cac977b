namespace Btcedu.Core.ImageGen;

/// <summary>What happened to a chapter's image; the manifest spells these generated, unchanged, skipped, failed, cost_limited.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum ImageStatus
{
    Generated,
    Unchanged,
    Skipped,
    Failed,
    CostLimited,
}
