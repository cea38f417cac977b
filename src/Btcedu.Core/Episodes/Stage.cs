namespace Btcedu.Core.Episodes;

/// <summary>
/// The pipelines' stages, spelled as markers and pipeline_runs record them: the v2 stages first, then the v1
/// (legacy) ones, which no v2 episode ever sees.
/// </summary>
#pragma warning disable CA1707, IDE1006
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum Stage
{
    correct,
    translate,
    adapt,
    chapterize,
    imagegen,
    tts,
    render,
    publish,

    // v1 (legacy)
    download,
    transcribe,
    chunk,
    generate,
    refine,
}
#pragma warning restore CA1707, IDE1006
