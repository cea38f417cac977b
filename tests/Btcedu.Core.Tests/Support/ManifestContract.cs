using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Btcedu.Core.Tests.Support;

/// <summary>
/// The manifest as its consumer sees it. Every manifest the module writes during this suite is validated against
/// docs/schemas/image-manifest.schema.json with a real validator (JsonSchema.Net) as it is written; a violation is kept
/// and fails the test whose workspace it was written in (<see cref="TempWorkspace"/>'s Dispose).
/// </summary>
public static class ManifestContract
{
    private static readonly ConcurrentQueue<(string Path, string Errors)> Violations = new();

    public static string SchemaPath { get; } = Repo.File("docs", "schemas", "image-manifest.schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath)));

    public static int Validated => _validated;
    private static int _validated;

#pragma warning disable CA2255 // the suite's own hook: set before any test runs
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void WatchEveryManifest() =>
        InternalHooks.ManifestWritten = (path, bytes) =>
        {
            Interlocked.Increment(ref _validated);
            if (Check(bytes) is { } errors)
            {
                Violations.Enqueue((path, errors));
            }
        };

    /// <summary>Null when the bytes are a valid manifest (UTF-8, no byte-order mark, the schema holds), else what is wrong.</summary>
    public static string? Check(byte[] bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            return "starts with a byte-order mark";
        }
        using var doc = JsonDocument.Parse(bytes);
        // The flag alone first (it stops at the first failure); the details only for a manifest that fails.
        if (Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid)
        {
            return null;
        }
        var result = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")));
    }

    /// <summary>The violations of manifests written under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> ViolationsUnder(string root) =>
        [.. Violations.Where(v => v.Path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)).Select(v => $"{v.Path}: {v.Errors}")];

    /// <summary>
    /// Reads an episode as the render stage does: for every chapter of chapters.json, the first entry of images[] with
    /// its chapter_id, and the file at episode folder / file_path, read as UTF-8 JSON with no byte-order mark. Returns
    /// the chapters the render would have to skip (no entry, or a file missing while the status promises one).
    /// </summary>
    public static IReadOnlyList<string> RenderGaps(string episodeDir)
    {
        var manifestBytes = File.ReadAllBytes(Path.Combine(episodeDir, "images", "manifest.json"));
        Assert.False(manifestBytes.Length >= 3 && manifestBytes[0] == 0xEF && manifestBytes[1] == 0xBB && manifestBytes[2] == 0xBF, "the manifest starts with a BOM");
        var manifest = JsonNode.Parse(new System.Text.UTF8Encoding(false, true).GetString(manifestBytes))!;
        var chapters = JsonNode.Parse(File.ReadAllText(Path.Combine(episodeDir, "chapters.json")))!["chapters"]!.AsArray();
        var gaps = new List<string>();
        foreach (var chapter in chapters)
        {
            var id = (string)chapter!["chapter_id"]!;
            var entry = manifest["images"]!.AsArray().FirstOrDefault(e => (string?)e!["chapter_id"] == id);
            if (entry is null)
            {
                gaps.Add($"{id}: no entry");
                continue;
            }
            // A null here is what stopped the render: joining a folder with null is a type error, not "file missing".
            var path = Path.Combine(episodeDir, (string)entry["file_path"]!);
            if ((string)entry["status"]! is not ("failed" or "cost_limited") && !File.Exists(path))
            {
                gaps.Add($"{id}: {path} missing");
            }
        }
        return gaps;
    }
}
