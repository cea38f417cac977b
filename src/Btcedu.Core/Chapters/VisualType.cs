namespace Btcedu.Core.Chapters;

/// <summary>The visual types of the chapter contract, spelled as the document spells them.</summary>
#pragma warning disable CA1707, IDE1006 // the contract's own spelling, so `Where VisualType -eq b_roll` works
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum VisualType
{
    title_card,
    diagram,
    b_roll,
    talking_head,
    screen_share,
}
#pragma warning restore CA1707, IDE1006

public static class VisualTypes
{
    /// <summary>Types whose image this module generates; title cards and talking heads come from brand templates.</summary>
    public static bool IsGenerated(this VisualType type) => type is VisualType.diagram or VisualType.b_roll or VisualType.screen_share;
}
