using System.Globalization;
using System.Net.Http.Headers;

namespace Btcedu.Core.Imaging;

/// <summary>
/// Fetches an image the API answered with a URL: https only (or the configured endpoint's own scheme and
/// host, for gateways and local servers), no redirects, a size cap and a deadline. Failures are
/// <see cref="BtceduException"/>s whose messages show the URL without its query (signed URLs carry tokens).
/// </summary>
internal sealed class ImageDownloader(HttpClient http, Uri endpoint, long maxBytes, TimeSpan timeout, TimeProvider time)
{
    public async Task<byte[]> DownloadAsync(Uri uri, CancellationToken cancellationToken)
    {
        var shown = OpenAi.SecretScrubber.Display(uri, UriPartial.Path);
        if (!IsAllowed(uri))
        {
            throw Fail($"refused to download {shown}: only https URLs, or URLs on the configured endpoint {OpenAi.SecretScrubber.Display(endpoint, UriPartial.Authority)}, are fetched");
        }

        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/*"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"downloading {shown} answered HTTP {(int)response.StatusCode}"));
            }
            if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
            {
                throw TooLarge(shown, maxBytes);
            }
            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            return await ReadCappedAsync(stream, maxBytes, shown, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"downloading {shown} took longer than {timeout.TotalSeconds:0.###}s"));
        }
        catch (HttpRequestException ex)
        {
            throw Fail($"downloading {shown} failed: {ex.Message}");
        }
    }

    private bool IsAllowed(Uri uri) =>
        uri.IsAbsoluteUri
        && (uri.Scheme == Uri.UriSchemeHttps
            || (string.Equals(uri.Scheme, endpoint.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(uri.Host, endpoint.Host, StringComparison.OrdinalIgnoreCase)
                && uri.Port == endpoint.Port));

    // Counting while reading, because Content-Length can be absent or wrong.
    private static async Task<byte[]> ReadCappedAsync(Stream stream, long maxBytes, string shown, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(shown, maxBytes);
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    internal static BtceduException TooLarge(string what, long maxBytes) =>
        Fail(string.Create(CultureInfo.InvariantCulture, $"{what} is larger than the image size cap of {maxBytes} bytes"));

    private static BtceduException Fail(string message) =>
        new("ImageDownloadFailed", BtceduErrorKind.InvalidData, message + ".");
}
