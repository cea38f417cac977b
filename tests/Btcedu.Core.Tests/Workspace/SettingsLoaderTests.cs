using System.Globalization;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;
using Btcedu.Core.Composition;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Tests.Workspace;

public class SettingsLoaderTests
{
    private static Dictionary<string, string?> Env(params (string, string)[] pairs) => pairs.ToDictionary(p => p.Item1, p => (string?)p.Item2);

    [Fact]
    public void Defaults_apply_without_a_file_or_environment()
    {
        using var temp = new TempWorkspace();
        var s = SettingsLoader.Load(temp.Paths, Env());
        Assert.Equal("gpt-image-2", s.ImageModel);
        Assert.Equal(4, s.ImageThrottleLimit);
        Assert.Equal(300, s.ImageTimeoutSeconds);
        Assert.Null(s.ImageRateLimitPerMinute);
        Assert.Equal("gpt-6-luna", s.LlmModel);
        Assert.Equal(10m, s.MaxEpisodeCostUsd);
        Assert.Equal("https://api.openai.com/v1", s.OpenAiBaseUrl.ToString().TrimEnd('/'));
        Assert.Null(s.OpenAiApiKey);
        Assert.Null(s.ImageSize);
    }

    [Fact]
    public void File_overrides_defaults_and_environment_overrides_file()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "image_model: dall-e-3\nimage_throttle_limit: 2\nmax_episode_cost_usd: 2.50\nimage_style_prefix: \"Düz, sade çizim\"\n");
        var s = SettingsLoader.Load(temp.Paths, Env(("BTCEDU_IMAGE_THROTTLE_LIMIT", "8"), ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")));
        Assert.Equal("dall-e-3", s.ImageModel);
        Assert.Equal(8, s.ImageThrottleLimit);
        Assert.Equal(2.50m, s.MaxEpisodeCostUsd);
        Assert.Equal("Düz, sade çizim", s.ImageStylePrefix);
        Assert.Equal("http://127.0.0.1:9/v1", s.OpenAiBaseUrl.ToString());
    }

    [Fact]
    public void Btcedu_spelling_wins_over_the_standard_openai_variable()
    {
        using var temp = new TempWorkspace();
        var s = SettingsLoader.Load(temp.Paths, Env(("OPENAI_BASE_URL", "http://a.example/v1"), ("BTCEDU_OPENAI_BASE_URL", "http://b.example/v1")));
        Assert.Equal("b.example", s.OpenAiBaseUrl.Host);
    }

    [Fact]
    public void An_unknown_key_names_the_key_and_line()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "image_model: gpt-image-1\n\nimage_modle: dall-e-3\n");
        var e = Assert.Throws<BtceduException>(() => SettingsLoader.Load(temp.Paths, Env()));
        Assert.Equal("InvalidSetting", e.ErrorId);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown setting 'image_modle'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_type_names_the_key_and_line()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "image_model: gpt-image-1\nimage_throttle_limit: many\n");
        var e = Assert.Throws<BtceduException>(() => SettingsLoader.Load(temp.Paths, Env()));
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("'image_throttle_limit'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_environment_value_names_the_variable()
    {
        using var temp = new TempWorkspace();
        var e = Assert.Throws<BtceduException>(() => SettingsLoader.Load(temp.Paths, Env(("BTCEDU_MAX_EPISODE_COST_USD", "on"))));
        Assert.Contains("BTCEDU_MAX_EPISODE_COST_USD", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_parse_the_same_under_a_turkish_culture()
    {
        using var temp = new TempWorkspace();
        temp.WriteFile("btcedu.yaml", "max_episode_cost_usd: 2.5\nimage_model: GPT-IMAGE-1\n");
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("tr-TR");
            var s = SettingsLoader.Load(temp.Paths, Env());
            Assert.Equal(2.5m, s.MaxEpisodeCostUsd);
            Assert.Equal("gpt-image-1", s.ImageModel); // invariant lower-casing: no dotless ı
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void The_api_key_never_shows_in_text()
    {
        using var temp = new TempWorkspace();
        var s = SettingsLoader.Load(temp.Paths, Env(("OPENAI_API_KEY", "sk-test-SECRET-123")));
        Assert.Equal("sk-test-SECRET-123", s.OpenAiApiKey!.Reveal());
        Assert.DoesNotContain("SECRET", s.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", System.Text.Json.JsonSerializer.Serialize(s.OpenAiApiKey), StringComparison.Ordinal);
    }

    [Fact]
    public void The_workspace_root_comes_from_btcedu_root_else_the_current_location()
    {
        Assert.Equal("/cwd", BtceduWorkspace.ResolveRoot(Env(), "/cwd"));
        Assert.Equal(Path.GetFullPath("/srv/btcedu"), BtceduWorkspace.ResolveRoot(Env(("BTCEDU_ROOT", "/srv/btcedu")), "/cwd"));
    }
}
