using Btcedu.Core.Imaging;
using Btcedu.Core.Models;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Models;

public sealed class ModelCatalogTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);

    [Fact]
    public void The_shipped_catalogue_knows_todays_models_and_their_lifecycle()
    {
        var catalog = ModelCatalog.Shipped;

        Assert.Equal(ModelStatus.Active, catalog.RequireImage("gpt-image-2").Lifecycle.StatusOn(Today));
        Assert.Equal(ModelStatus.Deprecated, catalog.RequireImage("gpt-image-1.5").Lifecycle.StatusOn(Today));
        Assert.Equal(ModelStatus.Deprecated, catalog.RequireImage("gpt-image-1-mini").Lifecycle.StatusOn(Today));
        Assert.Equal(ModelStatus.ShutDown, catalog.RequireImage("gpt-image-1").Lifecycle.StatusOn(Today));
        Assert.Equal(ModelStatus.ShutDown, catalog.RequireImage("dall-e-3").Lifecycle.StatusOn(Today));
        var gpt2 = catalog.RequireImage("gpt-image-2").TokenPrices!;
        Assert.Equal((5.00m, 8.00m, 30.00m), (gpt2.TextInputPerMillion, gpt2.ImageInputPerMillion, gpt2.ImageOutputPerMillion));
        // The default LLM is active with no announced shutdown; gpt-5-mini shuts down on 2026-12-10 (OpenAI's emails;
        // the deprecations page says 12-11: the earlier date is kept).
        Assert.Equal(ModelStatus.Active, catalog.RequireLlm(new BtceduSettings().LlmModel).Lifecycle.StatusOn(Today));
        Assert.Equal(new DateOnly(2026, 12, 10), catalog.RequireLlm("gpt-5-mini").Lifecycle.ShutdownOn);
        // Every model can be estimated at its defaults: no call is ever made without a price.
        Assert.All(catalog.ImageModels, m => Assert.NotNull(m.EstimateUsd(m.DefaultSize, m.DefaultQuality)));
    }

    // OpenAI's published gpt-image-2 output tokens per image (pricing page and the gpt-image-2 model page, as checked
    // 2026-12-04): written here by hand, not read from models.yaml, so a wrong rule or factor in the catalogue fails.
    [Theory]
    [InlineData(1024, 1024, "low", 196)]
    [InlineData(1024, 1024, "medium", 1756)]
    [InlineData(1024, 1024, "high", 7024)]
    [InlineData(1536, 1024, "low", 158)]
    [InlineData(1536, 1024, "medium", 1372)]
    [InlineData(1536, 1024, "high", 5488)]
    [InlineData(1024, 1536, "low", 158)]
    [InlineData(1024, 1536, "medium", 1372)]
    [InlineData(1024, 1536, "high", 5488)]
    public void The_catalogues_token_rule_reproduces_OpenAIs_published_table(int width, int height, string quality, int published)
    {
        foreach (var name in new[] { "gpt-image-2", "gpt-image-2-2026-04-21" })
        {
            var model = ModelCatalog.Shipped.RequireImage(name);
            Assert.NotNull(model.OutputTokenRule);
            Assert.Equal(published, model.OutputTokenRule!.OutputTokens(width, height, quality));
        }
    }

    [Fact]
    public void The_default_image_costs_about_four_cents_by_the_rule()
    {
        var model = ModelCatalog.Shipped.RequireImage("gpt-image-2");

        // s = floor((2·48·1088 + 1920) / 3840) = 27; ceil(48·27·(2,000,000 + 2,088,960) / 4,000,000) = 1,325.
        Assert.Equal(1325, model.ExpectedOutputTokens("1920x1088", "medium"));
        Assert.Equal(((200 * 5m) + (1325 * 30m)) / 1_000_000m, model.EstimateUsd("1920x1088", "medium"));
        Assert.InRange(model.EstimateUsd("1920x1088", "medium")!.Value, 0.040m, 0.041m);
    }

    [Fact]
    public void The_newer_models_bill_gpt_image_2s_rates_with_conservative_token_budgets_and_no_confirmed_batch()
    {
        var gpt2 = ModelCatalog.Shipped.RequireImage("gpt-image-2");
        Assert.Equal((1.25m, 2.00m), (gpt2.CachedPrices!.TextInputPerMillion, gpt2.CachedPrices.ImageInputPerMillion));
        Assert.Equal((2.50m, 4.00m, 15.00m), (gpt2.BatchPrices!.TextInputPerMillion, gpt2.BatchPrices.ImageInputPerMillion, gpt2.BatchPrices.ImageOutputPerMillion));
        foreach (var name in new[] { "gpt-image-2.5-sunburst", "gpt-image-2.5-flare", "gpt-image-2.6-sunburst", "gpt-image-2.6-flare" })
        {
            var m = ModelCatalog.Shipped.RequireImage(name);
            Assert.Equal(gpt2.TokenPrices, m.TokenPrices);
            Assert.Equal(["low", "medium", "high", "xhigh", "max", "auto"], m.Qualities);
            Assert.Null(m.BatchPrices);
            // Unconfirmed counts are budgeted dearer than gpt-image-2's at every quality they share (3-4x reported at low and medium).
            foreach (var q in new[] { "low", "medium", "high" })
            {
                Assert.True(m.ExpectedOutputTokens("1920x1088", q) >= 2 * gpt2.ExpectedOutputTokens("1920x1088", q), $"{name} {q}");
            }
            Assert.True(m.EstimateUsd("1920x1088", "auto") >= m.EstimateUsd("1920x1088", "max"));
        }
    }

    [Theory]
    [InlineData("output_token_rule: { factors: { low: 16, medium: 48 } }", "no factor for the quality high")]
    [InlineData("output_token_rule: { factors: { low: 16, medium: 48, high: 96 }, scale: { low: '0,5' } }", "use a point")]
    [InlineData("output_token_rule: { factor: { low: 16 } }", "unknown field")]
    [InlineData("batch_prices: { text_input: 2.5, image_input: 4 }", "image_output")]
    public void A_bad_token_rule_or_price_names_the_key(string field, string problem)
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", $"image_models:\n  gpt-image-2:\n    {field}\n");

        var ex = Assert.Throws<BtceduException>(() => SettingsLoader.Load(temp.Paths, new Dictionary<string, string?>()));

        Assert.Equal("InvalidModelCatalog", ex.ErrorId);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_model_is_one_entry_in_btcedu_yaml()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", """
            image_model: gpt-image-2.7-ember
            image_models:
              gpt-image-2.7-ember:
                family: gpt-image-2
                default_size: 1920x1088
                qualities: [low, medium, high]
                default_quality: low
                token_prices: { text_input: 2.5, image_input: 4, image_output: 12 }
                output_tokens: { 1920x1088: { low: 150, medium: 1300, high: 5300 } }
            """);
        var settings = SettingsLoader.Load(temp.Paths, new Dictionary<string, string?>());

        var p = ImageRequestProfile.Resolve(settings, Today);

        Assert.Equal(("gpt-image-2.7-ember", "1920x1088", "low"), (p.Model, p.Size, p.Quality));
        Assert.Equal(((200 * 2.5m) + (150 * 12m)) / 1_000_000m, p.EstimatedCostUsd);
        Assert.NotNull(settings.Models.FindImage("gpt-image-2")); // the shipped ones are still there
    }

    [Fact]
    public void An_override_changes_one_field_and_keeps_the_rest()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "image_models:\n  gpt-image-1.5:\n    shutdown: 2027-03-01\nllm_models:\n  gpt-6-luna: { output: 0.75 }\n");
        var settings = SettingsLoader.Load(temp.Paths, new Dictionary<string, string?>());

        var model = settings.Models.RequireImage("gpt-image-1.5");
        Assert.Equal(new DateOnly(2027, 3, 1), model.Lifecycle.ShutdownOn);
        Assert.Equal(0.034m, model.EstimateUsd("1024x1024", "medium"));
        Assert.Equal((0.10m, 0.75m), (settings.Models.RequireLlm("gpt-6-luna").InputPerMillionUsd, settings.Models.RequireLlm("gpt-6-luna").OutputPerMillionUsd));
        Assert.Equal(0.034m, ModelCatalog.Shipped.RequireImage("gpt-image-1.5").EstimateUsd("1024x1024", "medium")); // the shipped one is untouched
    }

    [Theory]
    [InlineData("    family: gpt-image-3\n", "family", "unknown family")]
    [InlineData("    token_prices: { text_input: 5, image_input: -8, image_output: 30 }\n", "token_prices.image_input", "-8")]
    [InlineData("    token_prices: { text_input: 5, image_input: 0,5, image_output: 30 }\n", "token_prices", "")]
    [InlineData("    shutdown: 2026-13-01\n", "shutdown", "2026-13-01")]
    [InlineData("    colour: blue\n", "colour", "unknown field")]
    public void Catalogue_errors_name_the_key_and_the_line(string badLine, string key, string detail)
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "max_episode_cost_usd: 5\nimage_models:\n  gpt-image-2:\n" + badLine);

        var ex = Assert.Throws<BtceduException>(() => SettingsLoader.Load(temp.Paths, new Dictionary<string, string?>()));

        Assert.Contains(ex.ErrorId, new[] { "InvalidModelCatalog", "InvalidSetting" });
        Assert.Equal(BtceduErrorKind.InvalidData, ex.Kind);
        Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Contains(detail, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalogue_file_with_an_error_names_the_file_and_line()
    {
        using var temp = new TempWorkspace();
        var file = temp.WriteFile("models.yaml", "image_models:\n  m1:\n    family: dall-e-3\n    sizes: [1024x1024]\n    qualities: [standard]\n    default_quality: standard\n    price_per_image: { 1024x1024: { standard: 0.04 } }\n    deprecated: yesterday\n");

        var ex = Assert.Throws<BtceduException>(() => ModelCatalog.Load(file));

        Assert.Equal("InvalidModelCatalog", ex.ErrorId);
        Assert.Contains($"{file} line 8: image_models.m1.deprecated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Old_price_settings_point_to_the_catalogue()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "image_prices:\n  gpt-image-2:\n    1536x1024:\n      medium: 0.07\n");

        var ex = Assert.Throws<BtceduException>(() => SettingsLoader.Load(temp.Paths, new Dictionary<string, string?>()));

        Assert.Equal("InvalidSetting", ex.ErrorId);
        Assert.Contains("image_models", ex.Message, StringComparison.Ordinal);
    }
}
