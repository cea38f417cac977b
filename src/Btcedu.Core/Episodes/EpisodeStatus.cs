namespace Btcedu.Core.Episodes;

/// <summary>
/// Where an episode stands. Names are spelled as the database and the pipeline documents spell them,
/// so <c>Where Status -eq IMAGES_GENERATED</c> reads the same everywhere.
/// </summary>
#pragma warning disable CA1707 // the domain's own spelling
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum EpisodeStatus
{
    // v1 (legacy)
    NEW,
    DOWNLOADED,
    TRANSCRIBED,
    CHUNKED,
    GENERATED,
    REFINED,

    // v2
    CORRECTED,
    TRANSLATED,
    ADAPTED,
    CHAPTERIZED,
    IMAGES_GENERATED,
    TTS_DONE,
    RENDERED,
    APPROVED,
    PUBLISHED,

    // either
    COMPLETED,
    FAILED,
    COST_LIMIT,
}
#pragma warning restore CA1707
