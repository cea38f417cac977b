using System.Collections.Concurrent;
using Btcedu.Core.Models;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Workspace;
using OpenAI.Images;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Imaging;

/// <summary>
/// <see cref="IImageGenService"/> over OpenAI's image API: every API shape of the model catalogue (dall-e-3,
/// fixed-size gpt-image, custom-size gpt-image-2), through the official OpenAI package with Polly owning retries
/// and the calls paced to image_rate_limit_per_minute. Each result is the delivered image's bytes (within the size
/// cap, not decoded: the run normalises them after releasing the API slot), or an outcome saying why not, with its
/// cost from the reported token usage.
/// </summary>
public sealed class OpenAIImageGenService : IImageGenService, IDisposable
{
    private readonly ModelCatalog _models;
    private readonly OpenAIConnection _connection;
    private readonly ImageDownloader _downloader;
    private readonly ConcurrentDictionary<string, ImageClient> _clients = new(StringComparer.Ordinal);

    /// <param name="endpoint">Where to call, the key, the per-attempt timeout and the pace (image_rate_limit_per_minute).</param>
    /// <param name="models">The model catalogue: shapes, prices and replacements.</param>
    /// <param name="options">Retry and timeout tuning; null for the defaults.</param>
    /// <param name="timeProvider">Clock for Polly's delays and timeouts; null for the system clock.</param>
    /// <param name="log">Receives one line per retry and failure; the key is scrubbed from every line.</param>
    public OpenAIImageGenService(OpenAIEndpoint endpoint, ModelCatalog models, OpenAIServiceOptions? options = null, TimeProvider? timeProvider = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _models = models ?? throw new ArgumentNullException(nameof(models));
        _connection = new OpenAIConnection(endpoint, options ?? new OpenAIServiceOptions(), timeProvider ?? TimeProvider.System, log, "image", endpoint.ImagesPerMinute);
        _downloader = new ImageDownloader(_connection.Http, _connection.Endpoint, _connection.Options.MaxImageBytes,
            _connection.Options.DownloadTimeout, _connection.Time);
    }

    /// <summary>The service for the endpoint and catalogue the settings describe.</summary>
    /// <exception cref="BtceduException">No API key is configured (OpenAiApiKeyMissing).</exception>
    public OpenAIImageGenService(BtceduSettings settings, OpenAIServiceOptions? options = null, TimeProvider? timeProvider = null, Action<string>? log = null)
        : this(OpenAIEndpoint.From(settings), settings.Models, options, timeProvider, log)
    {
    }

    /// <inheritdoc />
    /// <exception cref="BtceduException">The request's model, size, quality or style is invalid or has no price (before any call).</exception>
    public async Task<ImageGenResult> GenerateImageAsync(ImageGenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Prompt, nameof(request));
        var profile = ImageRequestProfile.Resolve(request, _models);
        var client = _clients.GetOrAdd(profile.Model, m => new ImageClient(m, _connection.Credential, _connection.ClientOptions));
        var options = BuildOptions(profile);

        var call = await _connection.ExecuteAsync(
            token => client.GenerateImagesAsync(request.Prompt, 1, options, token),
            cancellationToken, request.CoverRetryAfterTimeout).ConfigureAwait(false);

        // A timed-out attempt may have been completed and billed: count it at the estimate, so the cap stays conservative.
        var timedOutCost = call.TimedOutAttempts * profile.EstimatedCostUsd;
        var result = new ImageGenResult
        {
            Outcome = ApiOutcome.Failed,
            Attempts = call.Attempts,
            TimedOutAttempts = call.TimedOutAttempts,
            CostUsd = timedOutCost,
            CostEstimated = call.TimedOutAttempts > 0,
        };
        if (call.Failure is { } failure)
        {
            var message = _connection.Describe(failure, call.Attempts, profile.Model) + Hint(failure, profile.Model);
            _connection.Log($"image: {profile.Model} failed: {message}");
            return result with { Outcome = failure.Outcome, ErrorMessage = message, Moderation = failure.Moderation };
        }

        var collection = call.Value!;
        var image = collection.FirstOrDefault();
        var usage = UsageOf(collection);
        result = result with
        {
            RevisedPrompt = image?.RevisedPrompt,
            Usage = usage,
            // Billed as soon as an image came back, even if it then fails validation: spending is never untracked.
            CostUsd = timedOutCost + (image is null ? 0m : profile.CostOf(usage)),
            CostEstimated = result.CostEstimated || (image is not null && (usage is null || profile.Entry.TokenPrices is null)),
        };
        if (image is null)
        {
            return Failed(result, "The API answered without an image.");
        }

        try
        {
            return result with
            {
                Outcome = ApiOutcome.Succeeded,
                Image = await ImageBytesAsync(image, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (BtceduException ex)
        {
            return Failed(result, _connection.Scrubber.Scrub(ex.Message));
        }
    }

    public void Dispose() => _connection.Dispose();

    private async Task<byte[]> ImageBytesAsync(GeneratedImage image, CancellationToken cancellationToken)
    {
        if (image.ImageBytes is { } data)
        {
            // The SDK has already decoded the base64; the cap still bounds what is decoded and kept.
            if (data.ToMemory().Length > _connection.Options.MaxImageBytes)
            {
                throw ImageDownloader.TooLarge("The base64 image", _connection.Options.MaxImageBytes);
            }
            return data.ToArray();
        }
        if (image.ImageUri is { } uri)
        {
            return await _downloader.DownloadAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        throw new BtceduException("ImageMissing", BtceduErrorKind.InvalidData, "The API's answer held neither image bytes nor a URL.");
    }

#pragma warning disable OPENAI001 // token usage is marked experimental; gpt-image reports it, dall-e-3 does not.
    private static Models.ImageTokenUsage? UsageOf(GeneratedImageCollection collection) =>
        collection.Usage is not { } u ? null
        : u.InputTokenDetails is { } details ? new Models.ImageTokenUsage(details.TextTokenCount, details.ImageTokenCount, u.OutputTokenCount)
        : new Models.ImageTokenUsage(u.InputTokenCount, 0, u.OutputTokenCount); // no breakdown: all of it as text, the cheaper input
#pragma warning restore OPENAI001

    private ImageGenResult Failed(ImageGenResult result, string message)
    {
        _connection.Log($"image: {message}");
        return result with { Outcome = ApiOutcome.Failed, ErrorMessage = message };
    }

#pragma warning disable OPENAI001 // gpt-image sizes and qualities are marked experimental in OpenAI 2.x.
    private static ImageGenerationOptions BuildOptions(ImageRequestProfile profile)
    {
        var options = new ImageGenerationOptions { Size = new GeneratedImageSize(profile.Width, profile.Height) };
        if (profile.Family == ImageModelFamily.DallE3)
        {
            // Bytes rather than a URL: one round trip and no expiring link. A gateway that answers with a URL anyway is handled.
            options.ResponseFormat = GeneratedImageFormat.Bytes;
            options.Quality = profile.Quality == "hd" ? GeneratedImageQuality.High : GeneratedImageQuality.Standard;
            if (profile.Style is not null)
            {
                options.Style = profile.Style == "natural" ? GeneratedImageStyle.Natural : GeneratedImageStyle.Vivid;
            }
        }
        else
        {
            // gpt-image (fixed or custom sizes) always answers in base64 and rejects response_format and style.
            options.Quality = profile.Quality switch
            {
                "low" => GeneratedImageQuality.LowQuality,
                "medium" => GeneratedImageQuality.MediumQuality,
                "high" => GeneratedImageQuality.HighQuality,
                "auto" => GeneratedImageQuality.Auto,
                var other => new GeneratedImageQuality(other), // xhigh, max (gpt-image-2.5 and later): sent as named

            };
        }
        return options;
    }
#pragma warning restore OPENAI001

    private string Hint(ApiFailure failure, string model) =>
        failure.Kind == ApiFailureKind.NotFound && _models.FindImage(model)?.Lifecycle.Replacement is { } replacement
            ? $" Set image_model to {replacement} (Get-BtceduImageModel lists the catalogue)."
            : failure.Kind == ApiFailureKind.NotFound ? " Check image_model (e.g. gpt-image-2) and that the endpoint serves it." : "";
}
