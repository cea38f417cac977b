namespace Btcedu.Core.ImageGen;

/// <summary>
/// Which chapters a run considers. <see cref="Named"/> are regenerated even when unchanged (-ChapterId);
/// <see cref="Restrict"/> limits the run to those chapters (piped chapters) without forcing them;
/// <see cref="Force"/> regenerates every eligible chapter in scope.
/// </summary>
public sealed record ImageGenSelection
{
    public bool Force { get; init; }
    public IReadOnlyCollection<string>? Named { get; init; }
    public IReadOnlyCollection<string>? Restrict { get; init; }
    public int? ThrottleLimit { get; init; }
    public decimal? MaxCostUsd { get; init; }
    /// <summary>Plan for a batch (-Batch): estimates at the model's Batch API prices, refused for a model without them.</summary>
    public bool Batch { get; init; }
    /// <summary>The batch being collected (its local id): its chapters are planned as work, with the prompts it sent.</summary>
    internal long? Collecting { get; init; }

    /// <summary>Whether -ChapterId names the chapter: it is regenerated even when unchanged.</summary>
    public bool Names(string chapterId) => Named?.Contains(chapterId) == true;

    /// <summary>
    /// The selection rule, once: why the run leaves the chapter out (its manifest entry is carried over and nothing is
    /// reported about it), or null when the chapter is in the run's scope.
    /// </summary>
    public string? Excludes(string chapterId) =>
        Named is { Count: > 0 } && !Names(chapterId) && Restrict is null ? "not named by -ChapterId"
        : Names(chapterId) ? null
        : Restrict is not null && !Restrict.Contains(chapterId) ? "not among the piped chapters"
        : null;
}
