namespace Btcedu.PowerShell.Tests;

/// <summary>Argument completion as an operator meets it: PowerShell's own completion engine against a real workspace (moved from Completion.Tests.ps1).</summary>
public sealed class CompletionTests : IClassFixture<CompletionTests.Workspace>
{
    private readonly Workspace _ws;

    public CompletionTests(Workspace ws)
    {
        _ws = ws;
        Environment.SetEnvironmentVariable("BTCEDU_ROOT", ws.Root);
    }

    /// <summary>One workspace with demo (the sample's chapters), bar1 and other, shared as Pester's BeforeAll shared it.</summary>
    public sealed class Workspace : IDisposable
    {
        public ModuleHost Host { get; } = new();
        public string Root { get; } = ModuleHost.NewWorkspace();

        public Workspace()
        {
            Host.Run("Import-BtceduChapter -EpisodeId demo -Path $sample | Out-Null; New-BtceduEpisode -EpisodeId bar1 -Title 'Bar episode' | Out-Null; New-BtceduEpisode -EpisodeId other -Title 'Another one' | Out-Null",
                new Dictionary<string, object?> { ["sample"] = ModuleHost.Sample });
        }

        public void Dispose() => Host.Dispose();
    }

    private static string[] Texts(IEnumerable<CompletionResult> matches) => [.. matches.Select(m => m.CompletionText)];

    [Fact]
    public void Every_EpisodeId_ChapterId_Stage_and_Model_parameter_carries_its_completer()
    {
        // New-BtceduEpisode -EpisodeId names a new id: nothing to complete.
        var missing = _ws.Host.Run("""
            $completers = @{
                EpisodeId = 'Btcedu.PowerShell.Completion.EpisodeIdCompleter'
                ChapterId = 'Btcedu.PowerShell.Completion.ChapterIdCompleter'
                Stage     = 'Btcedu.PowerShell.Completion.StageCompleter'
                Model     = 'Btcedu.PowerShell.Completion.ImageModelCompleter'
            }
            foreach ($command in Get-Command -Module Btcedu) {
                foreach ($name in $completers.Keys) {
                    if (-not $command.Parameters.ContainsKey($name)) { continue }
                    if ($command.Name -eq 'New-BtceduEpisode' -and $name -eq 'EpisodeId') { continue }
                    $types = @($command.Parameters[$name].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } | ForEach-Object { $_.Type.FullName })
                    if ($types -notcontains $completers[$name]) { "$($command.Name) -$name" }
                }
            }
            """);
        Assert.Empty(missing);
        Assert.Contains("Btcedu.PowerShell.Completion.ImageModelCompleter",
            _ws.Host.Run("(Get-Command Get-BtceduImageModel).Parameters['Name'].Attributes.Type.FullName").Select(o => o.ToString()));
    }

    [Fact]
    public void EpisodeId_completes_from_the_store_with_the_title_as_the_tooltip()
    {
        var matches = _ws.Host.Complete("Get-BtceduEpisode -EpisodeId d");
        Assert.Equal(["demo"], Texts(matches));
        Assert.Contains("Bitcoin Nedir", matches[0].ToolTip, StringComparison.Ordinal);
        Assert.Equal(CompletionResultType.ParameterValue, matches[0].ResultType);
    }

    [Fact]
    public void A_positional_episode_id_completes_on_Invoke_BtceduImageGen()
    {
        var matches = _ws.Host.Complete("Invoke-BtceduImageGen bar");
        Assert.Equal(["bar1"], Texts(matches));
        Assert.Contains("Bar episode", matches[0].ToolTip, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Get-BtceduChapter -EpisodeId o")]
    [InlineData("Get-BtceduMediaAsset -EpisodeId o")]
    [InlineData("Import-BtceduChapter -Path x -EpisodeId o")]
    [InlineData("Get-BtceduEpisode -EpisodeId o")]
    public void EpisodeId_completes_on_every_cmdlet(string line) =>
        Assert.Equal(["other"], Texts(_ws.Host.Complete(line)));

    [Fact]
    public void An_empty_word_offers_every_episode_in_id_order_and_no_file_names()
    {
        Assert.Equal(["bar1", "demo", "other"], Texts(_ws.Host.Complete("Get-BtceduChapter ")));
        Assert.Empty(_ws.Host.Complete("Get-BtceduEpisode zzz"));
    }

    [Theory]
    [InlineData("Get-BtceduChapter demo -ChapterId ch0")]
    [InlineData("Get-BtceduChapter -EpisodeId demo -ChapterId ch0")]
    [InlineData("Invoke-BtceduImageGen -Id demo -ChapterId ch0")]
    [InlineData("Get-BtceduMediaAsset -EpisodeId de* -ChapterId ch0")]
    public void ChapterId_completes_for_the_episode_on_the_command_line_with_title_and_visual_type(string line)
    {
        var matches = _ws.Host.Complete(line);
        Assert.Equal(["ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08", "ch09"], Texts(matches));
        Assert.Equal("Çifte Harcama Sorunu [diagram]", matches.Single(m => m.CompletionText == "ch03").ToolTip);
    }

    [Fact]
    public void No_chapter_is_offered_without_an_episode_nor_for_an_episode_without_chapters()
    {
        Assert.Empty(_ws.Host.Complete("Get-BtceduChapter -ChapterId "));
        Assert.Empty(_ws.Host.Complete("Get-BtceduChapter bar1 -ChapterId "));
    }

    [Fact]
    public void Image_model_names_come_from_the_catalogue_btcedu_yaml_models_included()
    {
        var yaml = Path.Combine(_ws.Root, "btcedu.yaml");
        File.WriteAllLines(yaml, [
            "image_models:",
            "  gpt-image-2.6-flare:",
            "    family: gpt-image-2",
            "    default_size: 1920x1088",
            "    qualities: [low, medium, high]",
            "    default_quality: medium",
            "    token_prices: { text_input: 5, image_input: 8, image_output: 30 }",
            "    output_tokens: { 1024x1024: { low: 196, medium: 1756, high: 7024 } }"]);
        try
        {
            var names = Texts(_ws.Host.Complete("Get-BtceduImageModel gpt-image-2"));
            Assert.Contains("gpt-image-2", names);
            Assert.Contains("gpt-image-2.6-flare", names);
            Assert.Matches("DallE3|dall", _ws.Host.Complete("Get-BtceduImageModel dall")[0].ToolTip);
        }
        finally
        {
            File.Delete(yaml);
        }
    }

    [Fact]
    public void Completion_reads_the_database_without_writing_it()
    {
        var before = Snapshot.Of(_ws.Root);
        Assert.NotEmpty(_ws.Host.Complete("Get-BtceduEpisode "));
        Assert.NotEmpty(_ws.Host.Complete("Get-BtceduChapter demo -ChapterId "));
        Assert.Equal(before, Snapshot.Of(_ws.Root));
    }

    [Fact]
    public void Completion_answers_with_the_last_committed_state_while_a_writer_holds_the_database()
    {
        // The writer is the module's own SQLite (its load context), so both sides share one native library and its
        // in-process locks. A reader that waited for the writer would give up after its busy timeout and offer
        // nothing; what it offers proves it did not wait, without timing it.
        var output = _ws.Host.Run("""
            $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Btcedu.Core' } | Select-Object -First 1
            $sqlite = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).LoadFromAssemblyName([Reflection.AssemblyName]::new('Microsoft.Data.Sqlite'))
            $writer = [Activator]::CreateInstance($sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection', $true), [object[]]@("Data Source=$(Join-Path $root 'data/btcedu.db');Pooling=False"))
            try {
                $writer.Open()
                $command = $writer.CreateCommand()
                $command.CommandText = "BEGIN IMMEDIATE; UPDATE episodes SET title = 'changing' WHERE id = 'demo';"
                $command.ExecuteNonQuery() | Out-Null
                $matches = @((TabExpansion2 -inputScript 'Get-BtceduEpisode de' -cursorColumn 20).CompletionMatches)
                ($matches.CompletionText -join ',')
                $matches[0].ToolTip
            }
            finally { $writer.Dispose() }
            """, new Dictionary<string, object?> { ["root"] = _ws.Root });
        Assert.Equal("demo", output[0].ToString());
        Assert.Contains("Bitcoin Nedir", output[1].ToString(), StringComparison.Ordinal);
    }
}

/// <summary>Completion without a workspace.</summary>
public sealed class CompletionWithoutWorkspaceTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Nothing_is_offered_and_no_database_created_where_there_is_none()
    {
        var root = ModuleHost.NewWorkspace();
        Assert.Empty(_host.Complete("Get-BtceduEpisode "));
        Assert.Empty(_host.Complete("Get-BtceduChapter demo -ChapterId "));
        Assert.False(Directory.Exists(Path.Combine(root, "data")));
        Assert.Contains("gpt-image-2", _host.Complete("Get-BtceduImageModel gpt-image-2").Select(m => m.CompletionText));
    }

    [Fact]
    public void The_current_location_is_the_workspace_when_BTCEDU_ROOT_is_not_set()
    {
        var root = ModuleHost.NewWorkspace();
        _host.Run("Import-BtceduChapter -EpisodeId demo -Path $sample | Out-Null", new Dictionary<string, object?> { ["sample"] = ModuleHost.Sample });
        Environment.SetEnvironmentVariable("BTCEDU_ROOT", null);
        _host.Run("Set-Location -LiteralPath $root", new Dictionary<string, object?> { ["root"] = root });
        Assert.Equal(["demo"], _host.Complete("Get-BtceduEpisode de").Select(m => m.CompletionText));
    }
}

/// <summary>Every file's relative path and content hash: two equal snapshots mean nothing was written (SQLite's -wal/-shm aside).</summary>
internal static class Snapshot
{
    public static string Of(string root) => string.Join('\n', Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
        .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal))
        .Select(f => Path.GetRelativePath(root, f) + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))
        .Order(StringComparer.Ordinal));
}
