$ErrorActionPreference = 'Stop'

# Argument completion as an operator meets it: TabExpansion2 in real PowerShell, against a real workspace.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force

    function Get-Completion([string] $Line) {
        <# What Tab offers at the end of $Line: CompletionText and ToolTip. #>
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }

    # Which completer each parameter name must carry, on every cmdlet that has it.
    $script:Completers = @{
        EpisodeId = 'Btcedu.PowerShell.Completion.EpisodeIdCompleter'
        ChapterId = 'Btcedu.PowerShell.Completion.ChapterIdCompleter'
        Stage     = 'Btcedu.PowerShell.Completion.StageCompleter'
        Model     = 'Btcedu.PowerShell.Completion.ImageModelCompleter'
    }
}

AfterAll { Remove-Item Env:BTCEDU_ROOT -ErrorAction SilentlyContinue }

Describe 'Completers on every cmdlet' {
    It 'puts the right completer on every -EpisodeId, -ChapterId, -Stage and -Model (New-BtceduEpisode names a new id)' {
        $missing = foreach ($command in Get-Command -Module Btcedu) {
            foreach ($name in $Completers.Keys) {
                if (-not $command.Parameters.ContainsKey($name)) { continue }
                if ($command.Name -eq 'New-BtceduEpisode' -and $name -eq 'EpisodeId') { continue }
                $types = @($command.Parameters[$name].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } | ForEach-Object { $_.Type.FullName })
                if ($types -notcontains $Completers[$name]) { "$($command.Name) -$name" }
            }
        }
        $missing | Should -BeNullOrEmpty
        (Get-Command Get-BtceduImageModel).Parameters['Name'].Attributes.Type.FullName | Should -Contain $Completers.Model
    }
}

Describe 'Completion in a workspace' {
    BeforeAll {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -EpisodeId demo -Path $Sample | Out-Null
        New-BtceduEpisode -EpisodeId bar1 -Title 'Bar episode' | Out-Null
        New-BtceduEpisode -EpisodeId other -Title 'Another one' | Out-Null
    }

    It 'completes -EpisodeId from the store, with the title as the tooltip' {
        $matches = Get-Completion 'Get-BtceduEpisode -EpisodeId d'
        $matches.CompletionText | Should -Be @('demo')
        $matches[0].ToolTip | Should -Match 'Bitcoin Nedir'
        $matches[0].ResultType | Should -Be 'ParameterValue'
    }

    It 'completes a positional episode id on Invoke-BtceduImageGen (bar, then Tab)' {
        (Get-Completion 'Invoke-BtceduImageGen bar').CompletionText | Should -Be @('bar1')
        (Get-Completion 'Invoke-BtceduImageGen bar')[0].ToolTip | Should -Match 'Bar episode'
    }

    It 'completes -EpisodeId on <_>' -ForEach @('Get-BtceduChapter', 'Get-BtceduMediaAsset', 'Import-BtceduChapter -Path x -EpisodeId', 'Get-BtceduEpisode') {
        $line = if ($_ -match 'EpisodeId$') { "$_ o" } else { "$_ -EpisodeId o" }
        (Get-Completion $line).CompletionText | Should -Be @('other')
    }

    It 'offers every episode for an empty word, in id order, and no file names' {
        (Get-Completion 'Get-BtceduChapter ').CompletionText | Should -Be @('bar1', 'demo', 'other')
        (Get-Completion 'Get-BtceduEpisode zzz') | Should -BeNullOrEmpty
    }

    It 'completes -ChapterId for the episode on the command line, with title and visual type (<_>)' -ForEach @(
        'Get-BtceduChapter demo -ChapterId ch0'
        'Get-BtceduChapter -EpisodeId demo -ChapterId ch0'
        'Invoke-BtceduImageGen -Id demo -ChapterId ch0'
        'Get-BtceduMediaAsset -EpisodeId de* -ChapterId ch0'
    ) {
        $matches = Get-Completion $_
        $matches.CompletionText | Should -Be @('ch01', 'ch02', 'ch03', 'ch04', 'ch05', 'ch06', 'ch07', 'ch08', 'ch09')
        ($matches | Where-Object CompletionText -eq 'ch03').ToolTip | Should -Be 'Çifte Harcama Sorunu [diagram]'
    }

    It 'offers no chapter without an episode, nor for an episode without chapters' {
        Get-Completion 'Get-BtceduChapter -ChapterId ' | Should -BeNullOrEmpty
        Get-Completion 'Get-BtceduChapter bar1 -ChapterId ' | Should -BeNullOrEmpty
    }

    It 'completes image model names from the catalogue, btcedu.yaml''s models included' {
        Set-Content -LiteralPath (Join-Path $Root 'btcedu.yaml') -Value @(
            'image_models:'
            '  gpt-image-2.6-flare:'
            '    family: gpt-image-2'
            '    default_size: 1920x1088'
            '    qualities: [low, medium, high]'
            '    default_quality: medium'
            '    token_prices: { text_input: 5, image_input: 8, image_output: 30 }'
            '    output_tokens: { 1024x1024: { low: 196, medium: 1756, high: 7024 } }')
        try {
            $names = (Get-Completion 'Get-BtceduImageModel gpt-image-2').CompletionText
            $names | Should -Contain 'gpt-image-2'
            $names | Should -Contain 'gpt-image-2.6-flare'
            (Get-Completion 'Get-BtceduImageModel dall').ToolTip | Should -Match 'DallE3|dall'
        }
        finally { Remove-Item -LiteralPath (Join-Path $Root 'btcedu.yaml') }
    }

    It 'reads the database without writing it' {
        $before = Get-Snapshot $Root
        Get-Completion 'Get-BtceduEpisode ' | Should -Not -BeNullOrEmpty
        Get-Completion 'Get-BtceduChapter demo -ChapterId ' | Should -Not -BeNullOrEmpty
        Get-Snapshot $Root | Should -Be $before
    }

    It 'answers at once while a writer holds the database (a run in progress)' {
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Btcedu.Core' } | Select-Object -First 1
        $sqlite = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).LoadFromAssemblyName([Reflection.AssemblyName]::new('Microsoft.Data.Sqlite'))
        $writer = [Activator]::CreateInstance($sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection', $true), [object[]]@("Data Source=$(Join-Path $Root 'data/btcedu.db');Pooling=False"))
        try {
            $writer.Open()
            $command = $writer.CreateCommand()
            $command.CommandText = "BEGIN IMMEDIATE; UPDATE episodes SET title = 'changing' WHERE id = 'demo';"
            $command.ExecuteNonQuery() | Out-Null
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $matches = Get-Completion 'Get-BtceduEpisode de'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 1.5
            $matches.CompletionText | Should -Be @('demo')
            $matches[0].ToolTip | Should -Match 'Bitcoin Nedir' -Because 'a reader sees the last committed state'
        }
        finally { $writer.Dispose() }
    }
}

Describe 'Completion without a workspace' {
    It 'offers nothing and creates no database where there is none' {
        $root = New-TestWorkspace
        Get-Completion 'Get-BtceduEpisode ' | Should -BeNullOrEmpty
        Get-Completion 'Get-BtceduChapter demo -ChapterId ' | Should -BeNullOrEmpty
        Test-Path (Join-Path $root 'data') | Should -BeFalse
        (Get-Completion 'Get-BtceduImageModel gpt-image-2').CompletionText | Should -Contain 'gpt-image-2'
    }

    It 'follows the current location when BTCEDU_ROOT is not set' {
        $root = New-TestWorkspace
        Import-BtceduChapter -EpisodeId demo -Path $Sample | Out-Null
        Remove-Item Env:BTCEDU_ROOT
        Push-Location $root
        try { (Get-Completion 'Get-BtceduEpisode de').CompletionText | Should -Be @('demo') }
        finally { Pop-Location }
    }
}
