namespace Btcedu.Core.Models;

/// <summary>A model's lifecycle state on a given day, in OpenAI's terms.</summary>
public enum ModelStatus
{
    /// <summary>Usable; no retirement announced.</summary>
    Active,
    /// <summary>Retirement announced: usable until its shutdown date.</summary>
    Deprecated,
    /// <summary>No longer served by OpenAI.</summary>
    ShutDown,
}
