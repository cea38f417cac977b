namespace Btcedu.Core.Episodes;

/// <summary>The v2 pipeline's stages, spelled as markers and pipeline_runs record them.</summary>
#pragma warning disable CA1707, IDE1006
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
}
#pragma warning restore CA1707, IDE1006
