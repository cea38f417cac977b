using System.Text;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Workspace;

/// <summary>Hostile or mistaken settings (issue 11, items 7 and 14): refused clearly and fast, never guessed at.</summary>
public class SettingsHardeningTests
{
    private static Dictionary<string, string?> Env(params (string, string)[] pairs) => pairs.ToDictionary(p => p.Item1, p => (string?)p.Item2);

    private static BtceduException Refused(TempWorkspace temp, Dictionary<string, string?>? env = null, string errorId = "InvalidSetting")
    {
        var e = Assert.Throws<BtceduException>(() => SettingsLoader.Load(temp.Paths, env ?? Env()));
        Assert.Equal(errorId, e.ErrorId);
        return e;
    }

    [Theory]
    [InlineData("max_episode_cost_usd: 0,1\n")]
    [InlineData("max_episode_cost_usd: \"0,1\"\n")]
    public void A_decimal_comma_in_the_file_is_an_error_that_says_to_write_a_point(string yaml)
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", yaml);
        var e = Refused(temp);
        Assert.Contains("max_episode_cost_usd", e.Message, StringComparison.Ordinal);
        Assert.Contains("use '0.1'", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decimal_comma_in_the_environment_is_an_error_that_names_the_variable()
    {
        using var temp = new TempWorkspace();
        var e = Refused(temp, Env(("BTCEDU_MAX_EPISODE_COST_USD", "0,1")));
        Assert.Contains("BTCEDU_MAX_EPISODE_COST_USD", e.Message, StringComparison.Ordinal);
        Assert.Contains("use '0.1'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_episode_cost_usd: 1,000\n")]
    [InlineData("max_episode_cost_usd: 1e1\n")]
    [InlineData("max_episode_cost_usd: -1\n")]
    [InlineData("max_episode_cost_usd: 0x10\n")]
    [InlineData("image_throttle_limit: 1,5\n")]
    [InlineData("image_throttle_limit: +4\n")]
    [InlineData("image_timeout_seconds: 1_000\n")]
    [InlineData("image_models:\n  gpt-image-2:\n    token_prices: { text_input: 5, image_input: 8, image_output: '30,5' }\n")]
    [InlineData("llm_models:\n  gpt-5-mini: { input: '0,25', output: 2 }\n")]
    public void Every_number_in_settings_is_strict(string yaml)
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", yaml);
        Refused(temp, errorId: yaml.EndsWith("_models", StringComparison.Ordinal) || yaml.Contains("_models:", StringComparison.Ordinal) ? "InvalidModelCatalog" : "InvalidSetting");
    }

    [Fact]
    public void Plain_numbers_still_read()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "max_episode_cost_usd: \" 0.10 \"\nimage_throttle_limit: 8\nllm_models:\n  gpt-6-luna: { input: .07, output: 0.5 }\n");
        var s = SettingsLoader.Load(temp.Paths, Env(("BTCEDU_IMAGE_TIMEOUT_SECONDS", "30")));
        Assert.Equal(0.10m, s.MaxEpisodeCostUsd);
        Assert.Equal(8, s.ImageThrottleLimit);
        Assert.Equal(30, s.ImageTimeoutSeconds);
        Assert.Equal(0.07m, s.Models.RequireLlm("gpt-6-luna").InputPerMillionUsd);
    }

    [Fact]
    public void An_alias_bomb_is_refused_fast()
    {
        using var temp = new TempWorkspace();
        // Nine levels of nine aliases each: a few hundred bytes that expand to 9^9 (387 million) values.
        var yaml = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= 9; level++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"l{level}: &l{level} [")
                .Append(string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 9))).Append("]\n");
        }
        temp.WriteFile("btcedu.yaml", yaml.ToString());
        // Expanded, the bomb is 9^10 nodes: a refusal naming the alias proves it was stopped, not parsed; no stopwatch needed.
        var e = Refused(temp);
        Assert.Contains("alias", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_harmless_alias_still_works()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "llm_models:\n  gpt-6-luna: &p { input: 0.07, output: 0.5 }\n  gpt-6-luna-copy: *p\n");
        var s = SettingsLoader.Load(temp.Paths, Env());
        Assert.Equal(0.07m, s.Models.RequireLlm("gpt-6-luna-copy").InputPerMillionUsd);
    }

    [Fact]
    public void A_file_over_one_megabyte_is_refused_before_parsing()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "image_style_prefix: \"" + new string('a', SettingsLoader.MaxFileBytes) + "\"\n");
        var e = Refused(temp);
        Assert.Contains("larger than 1 MB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "image_prices: " + new string('[', 5000) + new string(']', 5000) + "\n");
        Assert.Contains("nested", Refused(temp).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_document_is_an_error()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "image_model: gpt-image-1\n---\nimage_model: dall-e-3\n");
        var e = Refused(temp);
        Assert.Contains("second YAML document", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_utf8_bytes_are_an_error_not_a_replacement_character()
    {
        using var temp = new TempWorkspace();
        // "Düz" in Latin-1 (Windows-1254 would be the same byte): 0xFC is not valid UTF-8.
        temp.WriteFile("btcedu.yaml", [.. "image_model: gpt-image-1\nimage_style_prefix: D"u8.ToArray(), 0xFC, .. "z\n"u8.ToArray()]);
        var e = Refused(temp);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_fine()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", [0xEF, 0xBB, 0xBF, .. "image_style_prefix: Düz çizim\n"u8.ToArray()]);
        Assert.Equal("Düz çizim", SettingsLoader.Load(temp.Paths, Env()).ImageStylePrefix);
    }

    [Fact]
    public void An_unknown_btcedu_variable_is_a_warning_naming_the_closest_setting()
    {
        using var temp = new TempWorkspace();
        var s = SettingsLoader.Load(temp.Paths, Env(("BTCEDU_IMAGE_MODLE", "dall-e-3"), ("BTCEDU_ROOT", temp.Root), ("BTCEDU_IMAGE_MODELS", "x"), ("OTHER_VAR", "1")));
        Assert.Equal(new BtceduSettings().ImageModel, s.ImageModel);
        Assert.Equal(2, s.Warnings.Count);
        Assert.Contains(s.Warnings, w => w.Contains("BTCEDU_IMAGE_MODLE", StringComparison.Ordinal) && w.Contains("Did you mean BTCEDU_IMAGE_MODEL?", StringComparison.Ordinal));
        Assert.Contains(s.Warnings, w => w.Contains("BTCEDU_IMAGE_MODELS", StringComparison.Ordinal) && w.Contains("only in btcedu.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void Known_variables_give_no_warning()
    {
        using var temp = new TempWorkspace();
        var s = SettingsLoader.Load(temp.Paths, Env(("BTCEDU_IMAGE_MODEL", "dall-e-3"), ("BTCEDU_ROOT", temp.Root)));
        Assert.Empty(s.Warnings);
    }
}
