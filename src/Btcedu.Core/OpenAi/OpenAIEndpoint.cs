using Btcedu.Core.Settings;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.OpenAi;

/// <summary>
/// What an OpenAI service needs of the settings: where to call, with which key, how long an attempt may take and,
/// for images, the pace. The services take this record, not the whole settings.
/// </summary>
public sealed record OpenAIEndpoint(Uri BaseUrl, Secret ApiKey, TimeSpan AttemptTimeout, int? ImagesPerMinute = null)
{
    /// <summary>The endpoint the settings describe; an OpenAiApiKeyMissing error when no key is configured.</summary>
    public static OpenAIEndpoint From(BtceduSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new OpenAIEndpoint(settings.OpenAiBaseUrl, settings.RequireApiKey(), TimeSpan.FromSeconds(settings.ImageTimeoutSeconds), settings.ImageRateLimitPerMinute);
    }
}
