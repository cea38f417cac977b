using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Btcedu.Core.Workspace;

/// <summary>The one JSON shape for every file the module writes: UTF-8, indented by 2, Turkish text unescaped.</summary>
public static class BtceduJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true, // two spaces, the .NET default
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The same conventions on one line, for JSON stored in database columns.</summary>
    internal static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    public static byte[] Serialize<T>(T value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Options);
        // A trailing newline keeps the files friendly to diff and cat.
        var withNewline = new byte[bytes.Length + 1];
        bytes.CopyTo(withNewline, 0);
        withNewline[^1] = (byte)'\n';
        return withNewline;
    }

    public static Task WriteAsync<T>(string path, T value, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAllBytesAsync(path, Serialize(value), cancellationToken);

    public static void Write<T>(string path, T value) => AtomicFile.WriteAllBytes(path, Serialize(value));
}
