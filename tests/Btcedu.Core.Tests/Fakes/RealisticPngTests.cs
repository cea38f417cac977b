using System.Text;
using System.Text.Json;
using Btcedu.Core.Imaging;

namespace Btcedu.Core.Tests.Fakes;

/// <summary>
/// The fake's images weigh what OpenAI's do (issue 22), so the bench and the soak measure the local stage on real
/// work: at least 1 MB at 1920x1088, complete, the requested size, and different for every prompt.
/// </summary>
public sealed class RealisticPngTests
{
    private const string Body = """{"model":"gpt-image-2","prompt":"PROMPT","size":"1920x1088","quality":"medium"}""";

    [Fact]
    public async Task The_fake_answers_gpt_image_2_with_a_realistic_png_of_at_least_1_MB_that_decodes_to_the_requested_size()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Images.TinyImages = false; // the suite's unit tests take tiny ones (Support/FakeImageDefaults.cs)
        using var http = new HttpClient();

        var png = await Generate(http, server, "a lighthouse at dusk");

        Assert.True(png.Length >= 1 << 20, $"{png.Length} bytes");
        Assert.True(png.Length <= 3_500_000, $"{png.Length} bytes");
        Assert.True(TestImages.IsPng(png));
        Assert.True(TestImages.DecodesCompletely(png));
        Assert.Equal((1920, 1088), TestImages.Size(png));
        // And the product's own decoder takes it: 1920x1080 out, itself more than 1 MB.
        var normalised = ImageNormalizer.Normalize(png);
        Assert.Equal("1920x1088", normalised.SourceSize);
        Assert.True(normalised.Png.Length >= 1 << 20, $"{normalised.Png.Length} bytes normalised");
    }

    [Fact]
    public async Task Realistic_pngs_are_deterministic_per_prompt_and_differ_in_pixels_inside_the_crop_between_prompts()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Images.TinyImages = false;
        using var http = new HttpClient();

        var a = await Generate(http, server, "a lighthouse at dusk");
        var again = await Generate(http, server, "a lighthouse at dusk");
        var b = await Generate(http, server, "a lighthouse at dawn");

        Assert.Equal(a, again);
        Assert.NotEqual(a, b);
        Assert.NotEqual(ImageNormalizer.Normalize(a).Png, ImageNormalizer.Normalize(b).Png);
        // The same decoding cost: same size and filters, compressed lengths within 1 %.
        Assert.InRange(Math.Abs(a.Length - b.Length), 0, a.Length / 100);
    }

    [Fact]
    public async Task Tiny_images_switch_serves_the_flat_png_of_a_few_KB()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        server.Images.TinyImages = false;
        using var http = new HttpClient();
        (await http.PostAsync(new Uri(server.Root, "_fake/images"), new StringContent("""{"tinyImages":true}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var png = await Generate(http, server, "p");

        Assert.True(png.Length < 64 * 1024, $"{png.Length} bytes");
        Assert.Equal((1920, 1088), TestImages.Size(png));
    }

    [Fact]
    public void This_suites_unit_tests_take_tiny_images_unless_they_ask_for_realistic_ones()
    {
        Assert.True(FakeImageApi.TinyByDefault);
        Assert.True(new FakeImageApi().TinyImages);
    }

    private static async Task<byte[]> Generate(HttpClient http, FakeOpenAIServer server, string prompt)
    {
        var r = await http.PostAsync(new Uri(server.BaseUrl + "/images/generations"), new StringContent(Body.Replace("PROMPT", prompt), Encoding.UTF8, "application/json"));
        r.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return Convert.FromBase64String(doc.RootElement.GetProperty("data")[0].GetProperty("b64_json").GetString()!);
    }
}
