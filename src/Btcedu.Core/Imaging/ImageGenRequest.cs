namespace Btcedu.Core.Imaging;

/// <summary>
/// A provider-neutral image request. <see cref="Prompt"/> is sent as is (the caller has already prepended
/// the style prefix); <see cref="Size"/> is "WIDTHxHEIGHT"; <see cref="Style"/> is null where the model has none.
/// Build it from settings with <see cref="ImageRequestProfile"/> so it is valid for the model.
/// </summary>
public sealed record ImageGenRequest(string Prompt, string Model, string Size, string Quality, string? Style)
{
    /// <summary>
    /// Asked before retrying after an attempt that timed out: the provider may have finished and billed it, so the
    /// retry may cost another estimate. True when the caller's budget covers that (it reserves it); false ends the
    /// request as TimedOut. Null: always retry.
    /// </summary>
    public Func<bool>? CoverRetryAfterTimeout { get; init; }
}
