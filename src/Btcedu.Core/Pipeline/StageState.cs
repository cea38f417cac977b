namespace Btcedu.Core.Pipeline;

/// <summary>
/// Where a stage stands for an episode: Stale when a marker sits beside any of its outputs; Done when the episode's
/// status has passed it (or, for a status that says nothing, such as FAILED, when its outputs exist); else Pending
/// when this module runs it, NotImplemented when another tool must.
/// </summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum StageState
{
    Done,
    Pending,
    Stale,
    NotImplemented,
}
