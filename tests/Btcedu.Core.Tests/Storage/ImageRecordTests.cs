using System.Text.Json;
using System.Text.Json.Nodes;
using Btcedu.Core.Storage;

namespace Btcedu.Core.Tests.Storage;

public sealed class ImageRecordTests
{
    /// <summary>A row as the module wrote them before the typed record: the same keys, so it reads with no migration.</summary>
    private const string RowOfBefore = """
        {"prompt":"Şeffaf bloklar","revised_prompt":null,"model":"gpt-image-2","size":"1920x1080","requested_size":"1920x1088","source_size":"1920x1088","quality":"medium","cost_usd":0.04021,"cost_estimated":false,"text_input_tokens":57,"image_input_tokens":3,"output_tokens":1325,"chapter_hash":"sha256:abc","attempts":2}
        """;

    [Fact]
    public void A_row_written_before_the_record_reads_whole()
    {
        var r = ImageRecord.Parse(RowOfBefore);

        Assert.Equal("Şeffaf bloklar", r.Prompt);
        Assert.Equal("gpt-image-2", r.Model);
        Assert.Equal("1920x1088", r.RequestedSize);
        Assert.Equal(0.04021m, r.CostUsd);
        Assert.Equal(57, r.TextInputTokens);
        Assert.Equal(3, r.ImageInputTokens);
        Assert.Equal(60, r.InputTokens);
        Assert.Equal(1325, r.OutputTokens);
        Assert.Equal("sha256:abc", r.ChapterHash);
        Assert.Equal(2, r.Attempts);
        Assert.Null(r.RestoredFromVersion);
    }

    [Fact]
    public void The_record_is_stored_under_the_keys_rows_have_always_had()
    {
        var stored = JsonNode.Parse(JsonSerializer.Serialize(ImageRecord.Parse(RowOfBefore), Btcedu.Core.Workspace.BtceduJson.Compact))!.AsObject();
        var before = JsonNode.Parse(RowOfBefore)!.AsObject();

        Assert.All(before, kv => Assert.True(JsonNode.DeepEquals(kv.Value, stored[kv.Key]), kv.Key));
        Assert.Equal([.. before.Select(kv => kv.Key), "restored_from_version"], stored.Select(kv => kv.Key));
        Assert.DoesNotContain("input_tokens", stored.Select(kv => kv.Key)); // derived, never stored
    }

    [Theory]
    [InlineData("""{"model":42,"cost_usd":"cheap","output_tokens":7}""")]
    [InlineData("""not json""")]
    [InlineData("""[1,2]""")]
    public void Metadata_another_tool_wrote_reads_as_far_as_it_can(string metadata)
    {
        var r = ImageRecord.Parse(metadata);

        Assert.Null(r.Model);
        Assert.Null(r.CostUsd);
        Assert.Equal(metadata.Contains("output_tokens", StringComparison.Ordinal) ? 7 : null, r.OutputTokens);
    }
}
