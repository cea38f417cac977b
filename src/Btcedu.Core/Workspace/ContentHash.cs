using System.Security.Cryptography;
using System.Text;

namespace Btcedu.Core.Workspace;

/// <summary>
/// The one spelling of a content hash in files, manifests and the database: "sha256:" and 64 lowercase hex
/// digits, so that hashes written by different parts of the module compare as plain strings.
/// </summary>
internal static class ContentHash
{
    public static string Of(ReadOnlySpan<byte> content) =>
        "sha256:" + Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    /// <summary>Over a file's bytes, or null when the file is not there.</summary>
    public static string? OfFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return "sha256:" + Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Over the text's UTF-8 bytes, as it would be written to a file.</summary>
    public static string Of(string text) => Of(Encoding.UTF8.GetBytes(text));
}
