using Btcedu.Core.ImageGen;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>images/manifest.json as the module reads it back: absent, unreadable, or written before file_path was always set.</summary>
public sealed class ImageManifestTests
{
    [Fact]
    public void No_manifest_yet_reads_as_none()
    {
        using var temp = new TempWorkspace();

        Assert.Null(ImageManifest.Load(Path.Combine(temp.Root, "images", "manifest.json")));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("null")]
    [InlineData("{\"episode_id\": \"ep1\", \"images\": 7}")]
    public void An_unreadable_manifest_is_an_InvalidData_error_naming_the_file(string text)
    {
        using var temp = new TempWorkspace();
        var file = temp.WriteFile("images/manifest.json", text);

        var e = Assert.Throws<BtceduException>(() => ImageManifest.Load(file));

        Assert.Equal(("InvalidImageManifest", BtceduErrorKind.InvalidData), (e.ErrorId, e.Kind));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_written_before_the_new_fields_still_reads()
    {
        using var temp = new TempWorkspace();
        var file = temp.WriteFile("images/manifest.json", """
            { "episode_id": "ep1", "schema_version": "1.0", "updated_at": "2026-11-01T10:00:00.000Z",
              "images": [
                { "chapter_id": "ch01", "visual_type": "title_card", "status": "skipped", "file_path": null, "cost_usd": 0, "cost_estimated": false, "reason": "title_card visuals come from brand templates" },
                { "chapter_id": "ch02", "visual_type": "diagram", "status": "generated", "prompt": "Şeffaf bloklar", "model": "gpt-image-2",
                  "file_path": "images/ch02.png", "chapter_hash": "sha256:aa", "cost_usd": 0.105, "cost_estimated": false, "input_tokens": 57, "output_tokens": 3499 } ] }
            """);

        var manifest = ImageManifest.Load(file)!;

        Assert.Null(manifest.Images[0].GenerationMethod);
        Assert.Equal(("images/ch02.png", "Şeffaf bloklar", 3499L), (manifest.Images[1].FilePath, manifest.Images[1].Prompt, manifest.Images[1].OutputTokens));
    }
}
