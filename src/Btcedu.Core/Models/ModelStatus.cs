namespace Btcedu.Core.Models;

/// <summary>A model's lifecycle state on a given day, in OpenAI's terms.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum ModelStatus
{
    /// <summary>Usable; no retirement announced.</summary>
    Active,
    /// <summary>Retirement announced: usable until its shutdown date.</summary>
    Deprecated,
    /// <summary>No longer served by OpenAI.</summary>
    ShutDown,
}
