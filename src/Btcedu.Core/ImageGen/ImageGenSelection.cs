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
}
