using System.Text;
using System.Text.Json.Nodes;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>The one manifest writer: chapter order, whole entries, the schema, and what the render stage reads.</summary>
public sealed class ManifestWriterTests
{
    [Fact]
    public async Task A_restore_puts_a_chapter_missing_from_the_manifest_back_in_chapter_order()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        h.Server.EnqueueImages([.. Enumerable.Range(1, 4).Select(i => FakeResponse.ImageBase64(TestImages.Png(1920 + 64 * i, 1088)))]);
        await h.RunAsync(new ImageGenSelection { Force = true });
        var file = h.Temp.Paths.ManifestFile("ep1");
        var manifest = JsonNode.Parse(File.ReadAllText(file))!;
        var images = manifest["images"]!.AsArray();
        images.RemoveAt(1); // ch02's entry lost
        File.WriteAllText(file, manifest.ToJsonString());

        h.Stage().Restore("ep1", "ch02", h.Stage().History("ep1", "ch02").Single().Version);

        Assert.Equal(["ch01", "ch02", "ch03", "ch04", "ch05", "ch06"], h.Manifest()["images"]!.AsArray().Select(e => (string?)e!["chapter_id"]));
    }

    [Fact]
    public async Task A_manifest_written_before_file_path_was_always_set_is_completed_by_the_next_run()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var file = h.Temp.Paths.ManifestFile("ep1");
        var manifest = JsonNode.Parse(File.ReadAllText(file))!;
        foreach (var entry in manifest["images"]!.AsArray().Select(e => e!.AsObject()))
        {
            foreach (var added in new[] { "chapter_title", "generation_method", "mime_type", "size_bytes", "text_input_tokens", "image_input_tokens", "requested_size", "attempts", "restored_from_version" })
            {
                entry.Remove(added);
            }
            if ((string?)entry["status"] == "skipped")
            {
                entry["file_path"] = null; // as the module wrote skipped chapters before
            }
        }
        File.WriteAllText(file, manifest.ToJsonString());
        File.Delete(Path.Combine(h.ImagesDir, "ch01.png"));
        var calls = h.ImageRequests.Count;

        var (summary, _) = await h.RunAsync();

        Assert.Equal(0m, summary.CostUsd);
        Assert.Equal(calls, h.ImageRequests.Count);
        var entries = h.Manifest()["images"]!.AsArray();
        Assert.All(entries, e => Assert.Equal($"images/{(string?)e!["chapter_id"]}.png", (string?)e["file_path"]));
        Assert.Equal("api", (string?)entries[1]!["generation_method"]);
        Assert.Equal("template", (string?)entries[0]!["generation_method"]); // the card is made again
        Assert.Equal(new FileInfo(Path.Combine(h.ImagesDir, "ch02.png")).Length, (long)entries[1]!["size_bytes"]!);
        Assert.Empty(ManifestContract.RenderGaps(h.Temp.Paths.EpisodeDir("ep1")));
    }

    [Theory]
    [InlineData("failed")]
    [InlineData("cost_limited")]
    public async Task Failed_and_cost_limited_chapters_keep_a_path_and_say_they_have_no_file(string status)
    {
        await using var h = await StageHarness.StartAsync();
        h.Server.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ContentPolicy());

        var (_, results) = await h.RunAsync(new ImageGenSelection { MaxCostUsd = status == "failed" ? null : 0.0001m });

        Assert.Equal(4, results.Count(r => r.Status == (status == "failed" ? ImageStatus.Failed : ImageStatus.CostLimited)));
        foreach (var entry in h.Manifest()["images"]!.AsArray().Where(e => (string?)e!["status"] is "failed" or "cost_limited"))
        {
            var id = (string?)entry!["chapter_id"];
            Assert.Equal($"images/{id}.png", (string?)entry["file_path"]);
            Assert.False(File.Exists(Path.Combine(h.ImagesDir, id + ".png")));
            Assert.Null(entry["size_bytes"]);
            Assert.Equal((string?)entry["status"] == "failed" ? "failed" : "none", (string?)entry["generation_method"]);
        }
        Assert.Empty(ManifestContract.RenderGaps(h.Temp.Paths.EpisodeDir("ep1")));
    }

    [Fact]
    public async Task The_schema_check_can_fail()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        var bytes = File.ReadAllBytes(h.Temp.Paths.ManifestFile("ep1"));
        Assert.Null(ManifestContract.Check(bytes));
        Assert.True(ManifestContract.Validated > 0);

        var nullPath = JsonNode.Parse(bytes)!;
        nullPath["images"]![0]!["file_path"] = null;
        var template = JsonNode.Parse(bytes)!;
        template["images"]![0]!["cost_usd"] = 0.04m; // a brand card is free
        var missingTitle = JsonNode.Parse(bytes)!;
        missingTitle["images"]![2]!.AsObject().Remove("chapter_title");

        Assert.Contains("file_path", ManifestContract.Check(Encoding.UTF8.GetBytes(nullPath.ToJsonString())), StringComparison.Ordinal);
        Assert.NotNull(ManifestContract.Check(Encoding.UTF8.GetBytes(template.ToJsonString())));
        Assert.NotNull(ManifestContract.Check(Encoding.UTF8.GetBytes(missingTitle.ToJsonString())));
        Assert.Equal("starts with a byte-order mark", ManifestContract.Check([0xEF, 0xBB, 0xBF, .. bytes]));
    }

    [Fact]
    public async Task An_image_deleted_since_it_was_recorded_is_not_claimed()
    {
        await using var h = await StageHarness.StartAsync();
        await h.RunAsync();
        File.Delete(Path.Combine(h.ImagesDir, "ch03.png"));
        h.Server.EnqueueImages(FakeResponse.ImageBase64(TestImages.Png(1984, 1088)));

        await h.RunAsync(new ImageGenSelection { Named = ["ch02"] }); // ch03 is outside the selection: its entry is carried over

        var ch03 = h.Manifest()["images"]![2]!;
        Assert.Equal("skipped", (string?)ch03["status"]);
        Assert.Equal("none", (string?)ch03["generation_method"]);
        Assert.Null(ch03["size_bytes"]);
        // The render stage skips it with a warning ("file missing"), as it would have before; nothing else is missing.
        Assert.StartsWith("ch03:", Assert.Single(ManifestContract.RenderGaps(h.Temp.Paths.EpisodeDir("ep1"))), StringComparison.Ordinal);
    }
}
