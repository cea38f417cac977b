using Btcedu.Core.Tests.Fakes;

namespace Btcedu.PowerShell.Tests;

/// <summary>
/// Output that reads well: tables that fit 120 columns, JSON with enum names, verbose lines that name the chapter
/// (moved from Output.Tests.ps1). One run of the demo episode against the loopback fake, one chapter refused by the
/// content policy, shared by every test as Pester's BeforeAll shared it.
/// </summary>
public sealed class OutputTests : IClassFixture<OutputTests.Run>
{
    private readonly Run _run;

    public OutputTests(Run run)
    {
        _run = run;
        run.Use();
    }

    public sealed class Run : IAsyncLifetime
    {
        public ModuleHost Host { get; } = new();
        public FakeOpenAIServer Fake { get; private set; } = null!;
        public string Root { get; } = ModuleHost.NewWorkspace();

        public void Use()
        {
            Environment.SetEnvironmentVariable("BTCEDU_ROOT", Root);
            Environment.SetEnvironmentVariable("OPENAI_BASE_URL", Fake.BaseUrl.AbsoluteUri);
            Environment.SetEnvironmentVariable("OPENAI_API_KEY", "sk-sdk-output");
        }

        public async Task InitializeAsync()
        {
            Fake = await FakeOpenAIServer.StartAsync();
            Fake.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.Chat("Flat vector illustration of linked blocks with orange accents, no text"));
            // The refusal's Detail is the longest line a table shows.
            Fake.EnqueueImages(FakeResponse.ContentPolicy());
            Fake.SetDefault(FakeOpenAIServer.ImagesPath, FakeResponse.ImageBase64(TestImages.Png(1536, 1024)));
            Use();
            Host.Run("Import-BtceduChapter -Path $sample | Out-Null; $global:Results = @(Invoke-BtceduImageGen demo -ErrorAction SilentlyContinue)",
                out _, new Dictionary<string, object?> { ["sample"] = ModuleHost.Sample });
            Host.Run("function global:Out-Table($InputObject) { ($InputObject | Format-Table | Out-String -Width 120) -split \"`r?`n\" }");
        }

        public async Task DisposeAsync()
        {
            Host.Dispose();
            await Fake.DisposeAsync();
            Environment.SetEnvironmentVariable("OPENAI_BASE_URL", null);
            Environment.SetEnvironmentVariable("OPENAI_API_KEY", null);
        }
    }

    private string[] Lines(string script) => [.. _run.Host.Run(script).Select(o => o.ToString())];

    [Fact]
    public void The_run_table_shows_every_visual_type_and_status_in_full_and_the_whole_Detail_wrapped()
    {
        var lines = Lines("Out-Table $Results");
        Assert.All(lines, l => Assert.True(l.Length <= 120, $"{l.Length} columns: {l}"));
        var text = string.Join('\n', lines);
        Assert.DoesNotContain("…", text, StringComparison.Ordinal);
        foreach (var type in new[] { "talking_head", "screen_share", "title_card" })
        {
            Assert.Matches($@"\b{type}\b", text);
        }
        Assert.Matches(@"\bSkipped\b", text);
        var failed = _run.Host.Run("@($Results | Where-Object Status -eq Failed)");
        Assert.Single(failed);
        var lastWord = failed[0].Properties["Error"].Value.ToString()!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Contains(lastWord, System.Text.RegularExpressions.Regex.Replace(string.Join(' ', lines), @"\s+", " "), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chapter", "Get-BtceduChapter demo")]
    [InlineData("episode", "Get-BtceduEpisode")]
    [InlineData("media asset", "Get-BtceduMediaAsset demo")]
    [InlineData("image model", "Get-BtceduImageModel")]
    public void The_table_fits_120_columns_without_cutting_a_value(string name, string command)
    {
        var lines = Lines($"Out-Table ({command})");
        Assert.True(lines.Length > 3, name);
        Assert.All(lines, l => Assert.True(l.Length <= 120, $"{name}: {l.Length} columns: {l}"));
        Assert.DoesNotContain("…", string.Join('\n', lines), StringComparison.Ordinal);
    }

    [Fact]
    public void The_batch_table_fits_120_columns_with_every_column_whole()
    {
        // ch05 is submitted (forced: it is up to date), then read back refreshed from the fake's Batch API.
        var lines = Lines("Invoke-BtceduImageGen demo -Batch -ChapterId ch05 | Out-Null; Out-Table (Get-BtceduImageBatch demo)");
        Assert.All(lines, l => Assert.True(l.Length <= 120, $"{l.Length} columns: {l}"));
        var text = string.Join('\n', lines);
        Assert.DoesNotContain("…", text, StringComparison.Ordinal);
        foreach (var column in new[] { "EpisodeId", "Status", "Requests", "Completed", "Failed", "ReservedUsd", "SubmittedAt", "ExpiresAt", "Id" })
        {
            Assert.Matches($@"\b{column}\b", text);
        }
        Assert.Matches(@"demo\s+completed\s+1\s+1\s+0\s+0\.0\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+batch_fake\d+", text);
    }

    [Fact]
    public void The_media_asset_table_names_the_prompt_template_and_version()
    {
        // Chapters whose prompt the LLM wrote from the template, and chapters that gave their own image_prompt.
        var output = Lines("""
            $generated = @($Results | Where-Object Status -eq Generated | ForEach-Object ChapterId)
            $llm = $generated | Where-Object { $_ -in 'ch02', 'ch03', 'ch06', 'ch08' } | Select-Object -First 1
            $given = $generated | Where-Object { $_ -in 'ch04', 'ch05', 'ch07' } | Select-Object -First 1
            $asset = Get-BtceduMediaAsset demo -ChapterId $llm
            "$($asset.PromptName)"
            "$([string]::IsNullOrEmpty($asset.Prompt))"
            (Out-Table $asset) -join "`n"
            $own = Get-BtceduMediaAsset demo -ChapterId $given
            "[$($own.PromptName)]"
            (Out-Table $own) -join "`n"
            """);
        Assert.Equal("imagegen", output[0]);
        Assert.Equal("False", output[1]);
        Assert.Contains("imagegen v1", output[2], StringComparison.Ordinal);
        Assert.Equal("[]", output[3]);
        Assert.Contains("chapter's own", output[4], StringComparison.Ordinal);
    }

    [Fact]
    public void ConvertTo_Json_writes_enum_values_by_name_while_the_properties_stay_typed()
    {
        var output = Lines("""
            $json = $Results | ConvertTo-Json | ConvertFrom-Json
            @($json.Status) -join ','
            @($json.VisualType) -join ','
            (Get-BtceduEpisode demo | ConvertTo-Json | ConvertFrom-Json).Status
            (Get-BtceduChapter demo ch03 | ConvertTo-Json | ConvertFrom-Json).VisualType
            $model = Get-BtceduImageModel gpt-image-2 | ConvertTo-Json | ConvertFrom-Json
            $model.Status
            $model.Family
            $Results[0].Status.GetType().FullName
            """);
        Assert.Contains("Generated", output[0].Split(','));
        Assert.Contains("Failed", output[0].Split(','));
        Assert.Contains("talking_head", output[1].Split(','));
        Assert.Equal(["IMAGES_GENERATED", "diagram", "Active", "GptImage2", "Btcedu.Core.ImageGen.ImageStatus"], output[2..]);
    }

    [Fact]
    public void ConvertTo_Json_writes_every_enum_property_of_every_output_type_by_name()
    {
        // Btcedu's own types: a .NET type a cmdlet returns (Export-BtceduGallery's FileInfo) serialises as PowerShell decides.
        var wrong = Lines("""
            $types = Get-Command -Module Btcedu | ForEach-Object { $_.OutputType.Type } | Where-Object { $_ -and $_.FullName -like 'Btcedu.*' } | Sort-Object FullName -Unique
            "types: $(@($types).Count)"
            foreach ($type in $types) {
                foreach ($property in $type.GetProperties() | Where-Object { $_.PropertyType.IsEnum -or [Nullable]::GetUnderlyingType($_.PropertyType).IsEnum }) {
                    $enum = if ($property.PropertyType.IsEnum) { $property.PropertyType } else { [Nullable]::GetUnderlyingType($property.PropertyType) }
                    $value = [Enum]::GetValues($enum) | Select-Object -Last 1
                    $json = ConvertTo-Json @{ v = $value } -Compress
                    if ($json -cne "{`"v`":`"$value`"}") { "$($type.Name).$($property.Name): $json" }
                }
            }
            """);
        Assert.Matches(@"^types: [1-9]", wrong[0]);
        Assert.Equal([], wrong[1..]);
    }

    [Fact]
    public void Verbose_lines_name_the_episode_and_chapter_of_a_retried_call()
    {
        _run.Fake.EnqueueImages(FakeResponse.Error(429, "rate_limit_exceeded", "Rate limit reached for images per minute", "requests"));
        var verbose = Lines("Invoke-BtceduImageGen demo -ChapterId ch03 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message");
        Assert.Contains(verbose, v => v.StartsWith("demo/ch03: image: attempt 1 of 4 failed", StringComparison.Ordinal));
    }
}
