using System.Collections.Concurrent;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Workspace;
using OpenAI.Images;

namespace Btcedu.Core.Imaging;

/// <summary>
/// <see cref="IImageGenService"/> over OpenAI's image API (the DallE3ImageService): dall-e-3 and the
/// gpt-image family, chosen by the request's model name, through the official OpenAI package with Polly
/// owning retries. Each result is a validated, normalised 1920x1080 PNG or an outcome saying why not.
/// </summary>
public sealed class OpenAIImageGenService : IImageGenService, IDisposable
{
    private readonly BtceduSettings _settings;
    private readonly OpenAIConnection _connection;
    private readonly ImageDownloader _downloader;
    private readonly ConcurrentDictionary<string, ImageClient> _clients = new(StringComparer.Ordinal);

    /// <param name="settings">Endpoint (openai_base_url), key (OPENAI_API_KEY), timeouts and the price table.</param>
    /// <param name="options">Retry and timeout tuning; null for the defaults.</param>
    /// <param name="timeProvider">Clock for Polly's delays and timeouts; null for the system clock.</param>
    /// <param name="log">Receives one line per retry and failure; the key is scrubbed from every line.</param>
    /// <exception cref="BtceduException">No API key is configured (OpenAiApiKeyMissing).</exception>
    public OpenAIImageGenService(BtceduSettings settings, OpenAIServiceOptions? options = null, TimeProvider? timeProvider = null, Action<string>? log = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _connection = new OpenAIConnection(settings, options ?? new OpenAIServiceOptions(), timeProvider ?? TimeProvider.System, log, "image");
        _downloader = new ImageDownloader(_connection.Http, _connection.Endpoint, _connection.Options.MaxImageBytes,
            _connection.Options.DownloadTimeout, _connection.Time);
    }

    /// <inheritdoc />
    /// <exception cref="BtceduException">The request's model, size, quality or style is invalid or has no price (before any call).</exception>
    public async Task<ImageGenResult> GenerateImageAsync(ImageGenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Prompt, nameof(request));
        var profile = ImageRequestProfile.Resolve(request, _settings.ImagePrices);
        var client = _clients.GetOrAdd(profile.Model, m => new ImageClient(m, _connection.Credential, _connection.ClientOptions));
        var options = BuildOptions(profile);
        var started = _connection.Time.GetTimestamp();

        var call = await _connection.ExecuteAsync(
            async token => (await client.GenerateImagesAsync(request.Prompt, 1, options, token).ConfigureAwait(false)).Value,
            cancellationToken).ConfigureAwait(false);

        var result = new ImageGenResult { Outcome = ImageGenOutcome.Failed, PromptSent = request.Prompt, Attempts = call.Attempts };
        if (call.Failure is { } failure)
        {
            var message = _connection.Describe(failure, call.Attempts, profile.Model) + Hint(failure, profile.Model);
            _connection.Log($"image: {profile.Model} failed: {message}");
            return result with { Outcome = OutcomeOf(failure.Kind), Latency = Elapsed(started), ErrorMessage = message };
        }

        var collection = call.Value!;
        var image = collection.FirstOrDefault();
#pragma warning disable OPENAI001 // token usage is marked experimental; gpt-image reports it, dall-e-3 does not.
        var usage = collection.Usage;
#pragma warning restore OPENAI001
        result = result with
        {
            RevisedPrompt = image?.RevisedPrompt,
            InputTokens = ToInt(usage?.InputTokenCount),
            OutputTokens = ToInt(usage?.OutputTokenCount),
            // Billed as soon as an image came back, even if it then fails validation: spending is never untracked.
            CostUsd = image is null ? 0m : profile.PriceUsd,
        };
        if (image is null)
        {
            return Failed(result, started, "The API answered without an image.");
        }

        try
        {
            var bytes = await ImageBytesAsync(image, cancellationToken).ConfigureAwait(false);
            var normalised = ImageNormalizer.Normalize(bytes);
            return result with
            {
                Outcome = ImageGenOutcome.Succeeded,
                Png = normalised.Png,
                SourceSize = normalised.SourceSize,
                Latency = Elapsed(started),
            };
        }
        catch (BtceduException ex)
        {
            return Failed(result, started, _connection.Scrubber.Scrub(ex.Message));
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

    private ImageGenResult Failed(ImageGenResult result, long started, string message)
    {
        _connection.Log($"image: {message}");
        return result with { Outcome = ImageGenOutcome.Failed, Latency = Elapsed(started), ErrorMessage = message };
    }

    private TimeSpan Elapsed(long started) => _connection.Time.GetElapsedTime(started);

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
            // gpt-image always answers in base64 and rejects response_format and style.
            options.Quality = profile.Quality switch
            {
                "low" => GeneratedImageQuality.LowQuality,
                "medium" => GeneratedImageQuality.MediumQuality,
                "high" => GeneratedImageQuality.HighQuality,
                _ => GeneratedImageQuality.Auto,
            };
        }
        return options;
    }
#pragma warning restore OPENAI001

    private static ImageGenOutcome OutcomeOf(ApiFailureKind kind) => kind switch
    {
        ApiFailureKind.ContentPolicy => ImageGenOutcome.ContentPolicyRejected,
        ApiFailureKind.RateLimited => ImageGenOutcome.RateLimited,
        ApiFailureKind.TimedOut => ImageGenOutcome.TimedOut,
        _ => ImageGenOutcome.Failed,
    };

    private static string Hint(ApiFailure failure, string model) =>
        failure.Kind == ApiFailureKind.NotFound
            ? model == "dall-e-3"
                ? " OpenAI retired dall-e-3 on 2026-05-12; set image_model to gpt-image-1."
                : " Check image_model (e.g. gpt-image-1) and that the endpoint serves it."
            : "";

    private static int? ToInt(long? value) => value is null ? null : (int)Math.Min(value.Value, int.MaxValue);
}
