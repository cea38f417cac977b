using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>The fake's Files and Batch APIs over raw HTTP, as OpenAI's reference describes them (checked 2026-12-04).</summary>
public sealed class FakeBatchApiTests
{
    private static async Task<string> UploadAsync(HttpClient http, string jsonl, string name = "in.jsonl")
    {
        using var form = new MultipartFormDataContent { { new StringContent("batch"), "purpose" }, { new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl)), "file", name } };
        var response = await http.PostAsync("v1/files", form);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(name, doc.RootElement.GetProperty("filename").GetString());
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> CreateAsync(HttpClient http, string fileId, string key = "k1") =>
        JsonDocument.Parse(await (await http.PostAsJsonAsync("v1/batches", new { input_file_id = fileId, endpoint = "/v1/images/generations", completion_window = "24h", metadata = new { btcedu_key = key } })).Content.ReadAsStringAsync()).RootElement;

    private static async Task<JsonElement> GetAsync(HttpClient http, string path) => JsonDocument.Parse(await http.GetStringAsync(path)).RootElement;

    private static string Line(string customId, string prompt) =>
        JsonSerializer.Serialize(new { custom_id = customId, method = "POST", url = "/v1/images/generations", body = new { model = "gpt-image-2", prompt, size = "1920x1088", quality = "low" } });

    [Fact]
    public async Task A_batch_validates_runs_and_completes_with_its_output_and_error_files()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Root };
        server.Batches.ValidationDelay = TimeSpan.FromMilliseconds(150);
        server.Batches.RunDelay = TimeSpan.FromSeconds(1);
        server.Batches.FailPrompts = ["yasak"];
        var file = await UploadAsync(http, Line("a", "bloklar") + "\n" + Line("b", "yasak sahne") + "\n");
        Assert.Equal(file, (await GetAsync(http, "v1/files?purpose=batch")).GetProperty("data")[0].GetProperty("id").GetString());

        var batch = await CreateAsync(http, file);
        Assert.Equal("validating", batch.GetProperty("status").GetString());
        var id = batch.GetProperty("id").GetString();
        await Task.Delay(200);
        Assert.Equal("in_progress", (await GetAsync(http, $"v1/batches/{id}")).GetProperty("status").GetString());
        var done = await GetAsync(http, $"v1/batches/{id}");
        for (var polls = 0; done.GetProperty("status").GetString() != "completed" && polls < 50; polls++)
        {
            await Task.Delay(100);
            done = await GetAsync(http, $"v1/batches/{id}");
        }
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("request_counts").GetProperty("total").GetInt32());
        Assert.Equal(1, done.GetProperty("request_counts").GetProperty("failed").GetInt32());
        Assert.Equal("k1", done.GetProperty("metadata").GetProperty("btcedu_key").GetString());

        var output = await http.GetStringAsync($"v1/files/{done.GetProperty("output_file_id").GetString()}/content");
        var ok = JsonDocument.Parse(output.Trim()).RootElement;
        Assert.Equal("a", ok.GetProperty("custom_id").GetString());
        Assert.Equal(200, ok.GetProperty("response").GetProperty("status_code").GetInt32());
        Assert.True(ok.GetProperty("response").GetProperty("body").GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
        var errors = await http.GetStringAsync($"v1/files/{done.GetProperty("error_file_id").GetString()}/content");
        var blocked = JsonDocument.Parse(errors.Trim()).RootElement;
        Assert.Equal("b", blocked.GetProperty("custom_id").GetString());
        Assert.Equal("moderation_blocked", blocked.GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_invalid_input_file_fails_validation_with_its_line()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Root };
        var file = await UploadAsync(http, Line("a", "x") + "\n" + Line("a", "y") + "\n");
        var failed = await CreateAsync(http, file);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var error = failed.GetProperty("errors").GetProperty("data")[0];
        Assert.Equal("duplicate_custom_id", error.GetProperty("code").GetString());
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("output_file_id").ValueKind);
    }

    [Fact]
    public async Task A_cancel_keeps_what_finished_expiry_ends_the_rest_and_the_list_pages_newest_first()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Root };
        server.Batches.RunDelay = TimeSpan.FromSeconds(4); // a line a second
        server.Batches.CancelDelay = TimeSpan.FromMilliseconds(100);
        var file = await UploadAsync(http, string.Join('\n', Enumerable.Range(1, 4).Select(i => Line($"c{i}", $"p{i}"))));
        var cancelled = (await CreateAsync(http, file, "cancel")).GetProperty("id").GetString();
        await Task.Delay(1500); // some lines done, not all (a loaded machine may take longer: anything short of 4 s holds)
        var cancelText = await (await http.PostAsync($"v1/batches/{cancelled}/cancel", null)).Content.ReadAsStringAsync();
        var cancelling = JsonDocument.Parse(cancelText).RootElement;
        Assert.True(cancelling.TryGetProperty("status", out _), cancelText);
        Assert.Equal("cancelling", cancelling.GetProperty("status").GetString());
        await Task.Delay(150);
        var end = await GetAsync(http, $"v1/batches/{cancelled}");
        Assert.Equal("cancelled", end.GetProperty("status").GetString());
        var kept = end.GetProperty("request_counts").GetProperty("completed").GetInt32();
        Assert.InRange(kept, 1, 3);
        Assert.Equal(kept, (await http.GetStringAsync($"v1/files/{end.GetProperty("output_file_id").GetString()}/content")).Trim().Split('\n').Length);
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync($"v1/batches/{cancelled}/cancel", null)).StatusCode);

        server.Batches.ExpireAfter = TimeSpan.FromMilliseconds(250);
        var expiring = (await CreateAsync(http, file, "expire")).GetProperty("id").GetString();
        await Task.Delay(300);
        var expired = await GetAsync(http, $"v1/batches/{expiring}");
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        var unfinished = (await http.GetStringAsync($"v1/files/{expired.GetProperty("error_file_id").GetString()}/content")).Trim().Split('\n');
        Assert.Equal(4, unfinished.Length); // none had finished by 250 ms (the first is due at 1 s)
        Assert.All(unfinished, l => Assert.Equal("batch_expired", JsonDocument.Parse(l).RootElement.GetProperty("error").GetProperty("code").GetString()));

        var page = await GetAsync(http, "v1/batches?limit=1");
        Assert.Equal(expiring, page.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.True(page.GetProperty("has_more").GetBoolean());
        var next = await GetAsync(http, $"v1/batches?limit=1&after={expiring}");
        Assert.Equal(cancelled, next.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.False(next.GetProperty("has_more").GetBoolean());
    }
}
