using System.Text;
using System.Text.Json;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Models;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.ImageGen.Batch;

/// <summary>The Batch API's files as OpenAI documents them: the input lines we write, the output and error lines we read.</summary>
public sealed class BatchLinesTests
{
    private static readonly ImageRequestProfile Profile =
        ImageRequestProfile.Resolve("gpt-image-2", null, null, null, ModelCatalog.Shipped).AtBatchPrices();

    [Fact]
    public void Each_input_line_is_a_POST_to_the_images_endpoint_with_the_synchronous_body_and_Turkish_unescaped()
    {
        var input = Encoding.UTF8.GetString(BatchLines.Input(Profile, [("ch01", "Şeffaf bloklar, ığdır"), ("ch02", "Madenciler")]));
        var lines = input.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("Şeffaf bloklar, ığdır", lines[0], StringComparison.Ordinal);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("ch01", first.GetProperty("custom_id").GetString());
        Assert.Equal("POST", first.GetProperty("method").GetString());
        Assert.Equal("/v1/images/generations", first.GetProperty("url").GetString());
        var body = first.GetProperty("body");
        Assert.Equal("gpt-image-2", body.GetProperty("model").GetString());
        Assert.Equal("1920x1088", body.GetProperty("size").GetString());
        Assert.Equal("medium", body.GetProperty("quality").GetString());
        Assert.Equal(1, body.GetProperty("n").GetInt32());
    }

    [Fact]
    public void An_output_line_settles_at_the_batch_prices_and_error_lines_keep_their_reason()
    {
        var png = TestImages.Png(1920, 1088);
        var ok = JsonSerializer.Serialize(new
        {
            id = "batch_req_1", custom_id = "ch02",
            response = new
            {
                status_code = 200, request_id = "req_1",
                body = new { created = 1, data = new[] { new { b64_json = Convert.ToBase64String(png) } }, usage = new { input_tokens = 50, input_tokens_details = new { text_tokens = 50, image_tokens = 0 }, output_tokens = 1325 } },
            },
            error = (object?)null,
        });
        var blocked = JsonSerializer.Serialize(new
        {
            id = "batch_req_2", custom_id = "ch03",
            response = new
            {
                status_code = 400, request_id = "req_2",
                body = new { error = new { message = "Your request was rejected by the safety system.", type = "image_generation_user_error", code = "moderation_blocked", moderation_details = new { moderation_stage = "input", categories = new[] { "violence" } } } },
            },
            error = (object?)null,
        });
        var expired = """{"id":"batch_req_3","custom_id":"ch04","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}""";

        var read = BatchLines.Read(Profile, Encoding.UTF8.GetBytes(ok + "\n"), Encoding.UTF8.GetBytes(blocked + "\n" + expired + "\n"));

        var image = read["ch02"].Result;
        Assert.True(image.Succeeded);
        Assert.Equal(png, image.Image);
        Assert.Equal(new ImageTokenUsage(50, 0, 1325), image.Usage);
        Assert.Equal((50 * 2.50m + 1325 * 15m) / 1_000_000m, image.CostUsd); // $2.50 text in, $15 image out per million
        Assert.Equal(ApiOutcome.ContentPolicyRejected, read["ch03"].Result.Outcome);
        Assert.Equal(["violence"], read["ch03"].Result.Moderation!.Categories);
        Assert.Contains("moderation stage input", read["ch03"].Result.ErrorMessage);
        Assert.True(read["ch04"].Expired);
        Assert.Equal(0, read["ch04"].Result.CostUsd);
    }
}
