$ErrorActionPreference = 'Stop'

# The reports against the store: totals equal the tables' own sums, and the rows compose with the usual cmdlets.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = 'sk-pester-reports'
    $script:Root = New-TestWorkspace
    Import-BtceduChapter -Path $Sample | Out-Null
    New-BtceduEpisode -EpisodeId idle -Title 'Nothing run yet' | Out-Null
    Invoke-BtceduImageGen demo | Out-Null
    Invoke-BtceduImageGen demo -ChapterId ch03, ch06 | Out-Null
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'Get-BtceduCostReport' {
    It 'matches pipeline_runs and media_assets exactly, per episode' {
        $store = Invoke-BtceduSql -Root $Root -Query "SELECT COUNT(*) AS runs, SUM(input_tokens) AS tin, SUM(output_tokens) AS tout, SUM(estimated_cost_usd) AS usd FROM pipeline_runs WHERE episode_id = 'demo'"
        $images = (Invoke-BtceduSql -Root $Root -Query "SELECT COUNT(*) AS n FROM media_assets WHERE episode_id = 'demo' AND asset_type = 'image'").n
        $row = Get-BtceduCostReport demo
        $row.GetType().FullName | Should -Be 'Btcedu.Core.Storage.CostReportRow'
        $row.Runs | Should -Be 2
        $row.Runs | Should -Be $store.runs
        $row.Images | Should -Be $images
        $row.InputTokens | Should -Be $store.tin
        $row.OutputTokens | Should -Be $store.tout
        $row.CostUsd | Should -Be ([decimal]$store.usd)
        $row.CostUsd | Should -BeGreaterThan 0
    }

    It 'adds up to the same total per stage and per day, and reports every episode from the pipeline' {
        $total = (Get-BtceduCostReport demo).CostUsd
        (Get-BtceduCostReport demo -By Stage | Measure-Object CostUsd -Sum).Sum | Should -Be $total
        (Get-BtceduCostReport demo -By Stage).Group | Should -Be 'imagegen'
        (Get-BtceduCostReport demo -By Day | Measure-Object CostUsd -Sum).Sum | Should -Be $total
        (Get-BtceduCostReport demo -By Day).Group | Should -Match '^\d{4}-\d{2}-\d{2}$'
        $all = Get-BtceduEpisode | Get-BtceduCostReport
        $all.EpisodeId | Should -Be @('demo', 'idle')
        ($all | Where-Object EpisodeId -eq idle).CostUsd | Should -Be 0
    }

    It 'reports per model from the recorded images' {
        $rows = @(Get-BtceduCostReport demo -By Model)
        $rows.Group | Should -Be @('gpt-image-2')
        $rows[0].Images | Should -Be (Get-BtceduMediaAsset demo).Count
        $rows[0].CostUsd | Should -Be ((Get-BtceduMediaAsset demo | Measure-Object CostUsd -Sum).Sum)
    }

    It 'bounds the window with -Since and -Until' {
        (Get-BtceduCostReport demo -Since ([DateTimeOffset]::UtcNow.AddMinutes(5))).Runs | Should -Be 0
        (Get-BtceduCostReport demo -Until ([DateTimeOffset]::UtcNow.AddMinutes(5))).Runs | Should -Be 2
        { Get-BtceduCostReport demo -Since ([DateTimeOffset]::UtcNow) -Until ([DateTimeOffset]::UtcNow.AddDays(-1)) } |
            Should -Throw -ErrorId 'InvalidReportWindow,Btcedu.PowerShell.Commands.GetBtceduCostReportCommand'
    }

    It 'writes EpisodeNotFound for an unknown id, with the id as target' {
        Get-BtceduCostReport nope -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'EpisodeNotFound,Btcedu.PowerShell.Commands.GetBtceduCostReportCommand'
        $errs[0].TargetObject | Should -Be 'nope'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'composes with Sort-Object and Export-Csv, and its table fits 120 columns' {
        $csv = Join-Path $Root 'costs.csv'
        Get-BtceduCostReport -By Day | Sort-Object CostUsd -Descending | Export-Csv $csv -NoTypeInformation
        $back = Import-Csv $csv
        $back[0].EpisodeId | Should -Be 'demo'
        [decimal]::Parse($back[0].CostUsd, [cultureinfo]::CurrentCulture)   # Export-Csv writes numbers in the session culture | Should -Be (Get-BtceduCostReport demo).CostUsd
        (Get-BtceduCostReport | Format-Table | Out-String -Width 120) -split "`r?`n" | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
    }
}

Describe 'Get-BtceduPromptVersion' {
    It 'lists the recorded versions with name, version, hash, model, default and created' {
        $store = @(Invoke-BtceduSql -Root $Root -Query 'SELECT name, version, content_hash FROM prompt_versions ORDER BY name, version')
        $versions = @(Get-BtceduPromptVersion)
        $versions.Count | Should -Be $store.Count
        $versions[0].GetType().FullName | Should -Be 'Btcedu.Core.Storage.PromptVersion'
        $versions[0].Name | Should -Be 'imagegen'
        $versions[0].Version | Should -Be 1
        $versions[0].ContentHash | Should -Be $store[0].content_hash
        $versions[0].IsDefault | Should -BeTrue
        (Get-BtceduPromptVersion | Format-Table | Out-String -Width 120) | Should -Match 'imagegen\s+1\s+sha256:'
    }

    It 'filters by -Name (wildcards) and writes PromptNotFound for an unknown name' {
        @(Get-BtceduPromptVersion -Name image*).Count | Should -Be @(Get-BtceduPromptVersion).Count
        Get-BtceduPromptVersion -Name nothing -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'PromptNotFound,Btcedu.PowerShell.Commands.GetBtceduPromptVersionCommand'
        $errs[0].TargetObject | Should -Be 'nothing'
        (Get-BtceduPromptVersion | Measure-Object Version -Maximum).Maximum | Should -Be 1
    }
}
