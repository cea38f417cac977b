using Btcedu.Core.Imaging;
using Btcedu.Core.Models;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Imaging;

public sealed class ImageRequestProfileTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);
    private static ModelCatalog Catalog => ModelCatalog.Shipped;

    [Fact]
    public void Defaults_are_gpt_image_2_at_the_smallest_legal_16_9_size_above_1080p_medium()
    {
        var p = ImageRequestProfile.Resolve(new BtceduSettings(), Today);

        Assert.Equal(("gpt-image-2", ImageModelFamily.GptImage2, "1920x1088", "medium", (string?)null), (p.Model, p.Family, p.Size, p.Quality, p.Style));
        Assert.Equal((1920, 1088), (p.Width, p.Height));
        Assert.Null(p.LifecycleWarning);
        // 1920x1088 is not in OpenAI's table: the catalogue's token rule gives 1,325 output tokens at medium.
        Assert.Equal(1325, p.ExpectedOutputTokens);
        // The estimate is the expected tokens at the listed prices: 200 prompt tokens at $5/M + 1,325 output tokens at $30/M.
        Assert.Equal(((200 * 5.00m) + (1325 * 30.00m)) / 1_000_000m, p.EstimatedCostUsd);
    }

    [Fact]
    public void Cost_from_usage_is_tokens_times_the_models_prices()
    {
        var p = ImageRequestProfile.Resolve(new BtceduSettings(), Today);

        var cost = p.CostOf(new ImageTokenUsage(TextInputTokens: 57, ImageInputTokens: 10, OutputTokens: 1781));

        Assert.Equal(((57 * 5m) + (10 * 8m) + (1781 * 30m)) / 1_000_000m, cost);
        Assert.Equal(p.EstimatedCostUsd, p.CostOf(null)); // no usage reported: the estimate, never zero
    }

    [Fact]
    public void Auto_quality_is_budgeted_at_the_dearest_quality()
    {
        var auto = ImageRequestProfile.Resolve("gpt-image-2", null, "auto", null, Catalog).EstimatedCostUsd;
        var high = ImageRequestProfile.Resolve("gpt-image-2", null, "high", null, Catalog).EstimatedCostUsd;

        Assert.Equal(high, auto);
        Assert.True(high > ImageRequestProfile.Resolve("gpt-image-2", null, "medium", null, Catalog).EstimatedCostUsd);
    }

    [Fact]
    public void An_unlisted_custom_size_is_estimated_by_the_token_rule()
    {
        var p = ImageRequestProfile.Resolve("gpt-image-2", "3840x2160", "low", null, Catalog);

        // f = 16, s = floor((2·16·2160 + 3840) / (2·3840)) = 9, tokens = ceil(16·9·(2,000,000 + 8,294,400) / 4,000,000).
        Assert.Equal(371, p.ExpectedOutputTokens);
    }

    [Fact]
    public void A_model_without_a_rule_estimates_an_unlisted_size_from_the_dearest_tokens_per_pixel()
    {
        using var temp = new Btcedu.Core.Tests.Support.TempWorkspace();
        temp.WriteFile("btcedu.yaml", """
            image_models:
              gpt-image-2-tableonly:
                family: gpt-image-2
                default_size: 1920x1088
                qualities: [low, medium, high]
                default_quality: medium
                token_prices: { text_input: 5, image_input: 8, image_output: 30 }
                output_tokens: { 1024x1024: { low: 196, medium: 1756, high: 7024 }, 1536x1024: { low: 158, medium: 1372, high: 5488 } }
            """);
        var settings = SettingsLoader.Load(temp.Paths, new Dictionary<string, string?>());
        var p = ImageRequestProfile.Resolve("gpt-image-2-tableonly", "3840x2160", "low", null, settings.Models);

        // 1024x1024 low has the most tokens per pixel (196 / 1,048,576): an upper bound.
        Assert.Equal((int)Math.Ceiling(196.0 / (1024 * 1024) * 3840 * 2160), p.ExpectedOutputTokens);
    }

    [Fact]
    public void Dalle3_keeps_its_fixed_sizes_and_per_image_price()
    {
        var p = ImageRequestProfile.Resolve("dall-e-3", null, null, "vivid", Catalog);

        Assert.Equal((ImageModelFamily.DallE3, "1792x1024", "standard", "vivid", 0.080m), (p.Family, p.Size, p.Quality, p.Style, p.EstimatedCostUsd));
        Assert.Equal(new ImageGenRequest("x", "dall-e-3", "1792x1024", "standard", "vivid"), p.ToRequest("x"));
    }

    [Theory]
    [InlineData("gpt-image-1.5", "1024x1536", "low", 0.013)]
    [InlineData("gpt-image-1.5", "1536x1024", "auto", 0.2)]
    [InlineData("gpt-image-1-mini", "1536x1024", "medium", 0.015)]
    [InlineData("dall-e-3", "1024x1024", "hd", 0.080)]
    [InlineData("DALL-E-3", "1024X1792", "HD", 0.120)]
    public void Per_image_prices_come_from_the_catalogue(string model, string size, string quality, double usd)
    {
        Assert.Equal((decimal)usd, ImageRequestProfile.Resolve(model, size, quality, null, Catalog).EstimatedCostUsd);
    }

    [Theory]
    [InlineData("1920x1088", true)]
    [InlineData("2560x1440", true)]
    [InlineData("3840x2160", true)]
    [InlineData("1920x1080", false)] // 1080 is not a multiple of 16
    [InlineData("3856x2176", false)] // long edge over 3840
    [InlineData("3840x1264", false)] // ratio over 3:1
    [InlineData("3840x2240", false)] // over 8,294,400 pixels
    [InlineData("1536x1024", false)] // legal for the API, but smaller than the frame: it would be upscaled
    [InlineData("1920x1088x2", false)]
    public void Gpt_image_2_sizes_follow_its_rule_and_never_need_upscaling(string size, bool legal)
    {
        if (legal)
        {
            Assert.Equal(size, ImageRequestProfile.Resolve("gpt-image-2", size, null, null, Catalog).Size);
        }
        else
        {
            Assert.Equal("ImageSizeInvalid", Assert.Throws<BtceduException>(() => ImageRequestProfile.Resolve("gpt-image-2", size, null, null, Catalog)).ErrorId);
        }
    }

    [Theory]
    [InlineData("gpt-image-1.5", "1792x1024", null, null, "ImageSizeInvalid")]
    [InlineData("dall-e-3", "1536x1024", null, null, "ImageSizeInvalid")]
    [InlineData("gpt-image-2", null, "hd", null, "ImageQualityInvalid")]
    [InlineData("dall-e-3", null, "medium", null, "ImageQualityInvalid")]
    [InlineData("gpt-image-2", null, null, "vivid", "ImageStyleInvalid")]
    [InlineData("dall-e-3", null, null, "cartoon", "ImageStyleInvalid")]
    [InlineData("dall-e-2", null, null, null, "ImageModelUnsupported")]
    [InlineData("gpt-image-3-nova", null, null, null, "ImageModelUnsupported")]
    public void Invalid_shapes_and_unknown_models_are_errors(string model, string? size, string? quality, string? style, string errorId)
    {
        var ex = Assert.Throws<BtceduException>(() => ImageRequestProfile.Resolve(model, size, quality, style, Catalog));

        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(BtceduErrorKind.InvalidArgument, ex.Kind);
    }

    [Theory]
    [InlineData("gpt-image-1", "2026-10-23")]
    [InlineData("dall-e-3", "2026-05-12")]
    public void A_shut_down_model_is_refused_at_openai_naming_the_date_and_the_replacement(string model, string date)
    {
        var ex = Assert.Throws<BtceduException>(() => ImageRequestProfile.Resolve(new BtceduSettings { ImageModel = model }, Today));

        Assert.Equal(("ModelRetired", BtceduErrorKind.InvalidArgument, (object?)model), (ex.ErrorId, ex.Kind, ex.Target));
        Assert.Contains(date, ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpt-image-2.5-sunburst", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shut_down_model_at_a_gateway_is_a_warning_not_a_refusal()
    {
        var p = ImageRequestProfile.Resolve(new BtceduSettings { ImageModel = "dall-e-3", OpenAiBaseUrl = new Uri("https://gateway.example/v1") }, Today);

        Assert.Contains("2026-05-12", p.LifecycleWarning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deprecated_model_runs_with_a_warning_naming_its_shutdown_and_replacement()
    {
        var p = ImageRequestProfile.Resolve(new BtceduSettings { ImageModel = "gpt-image-1.5" }, Today);

        Assert.Contains("2026-12-01", p.LifecycleWarning, StringComparison.Ordinal);
        Assert.Contains("gpt-image-2.6-sunburst", p.LifecycleWarning, StringComparison.Ordinal);
        // On its shutdown day it is refused.
        Assert.Equal("ModelRetired", Assert.Throws<BtceduException>(() => ImageRequestProfile.Resolve(new BtceduSettings { ImageModel = "gpt-image-1.5" }, new DateOnly(2026, 12, 1))).ErrorId);
    }
}
