using System.Globalization;

namespace Btcedu.Core.Models;

/// <summary>When a model was deprecated and shuts down, and what replaces it. Dates are UTC days.</summary>
public sealed record ModelLifecycle(DateOnly? DeprecatedOn, DateOnly? ShutdownOn, string? Replacement)
{
    public static ModelLifecycle None { get; } = new(null, null, null);

    /// <summary>ShutDown from the shutdown date on; Deprecated once a shutdown is announced or the deprecation date passed.</summary>
    public ModelStatus StatusOn(DateOnly today) =>
        ShutdownOn <= today ? ModelStatus.ShutDown
        : ShutdownOn is not null || DeprecatedOn <= today ? ModelStatus.Deprecated
        : ModelStatus.Active;

    /// <summary>
    /// Refuses a shut-down model (ErrorId ModelRetired) unless the endpoint is not OpenAI's, where a gateway may
    /// still serve it; returns the warning to show for a deprecated model (or a retired one at a gateway), else null.
    /// </summary>
    public string? Check(string setting, string model, DateOnly today, bool openAiEndpoint)
    {
        var replacement = Replacement is null ? "" : $" Use {Replacement} instead (set {setting}: {Replacement}).";
        switch (StatusOn(today))
        {
            case ModelStatus.ShutDown when openAiEndpoint:
                throw new BtceduException("ModelRetired", BtceduErrorKind.InvalidArgument,
                    $"{setting} '{model}' was shut down by OpenAI on {Format(ShutdownOn)}.{replacement} Get-BtceduImageModel lists the catalogue.", model);
            case ModelStatus.ShutDown:
                return $"{setting} '{model}' was shut down by OpenAI on {Format(ShutdownOn)}; it is used only because openai_base_url is not OpenAI's and may still serve it.{replacement}";
            case ModelStatus.Deprecated:
                return ShutdownOn is null
                    ? $"{setting} '{model}' is deprecated.{replacement}"
                    : $"{setting} '{model}' is deprecated and shuts down on {Format(ShutdownOn)}.{replacement}";
            default:
                return null;
        }
    }

    private static string Format(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
}
