$ErrorActionPreference = 'Stop'

# Output that reads well: tables that fit 120 columns, JSON with enum names, verbose lines that name the chapter.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = 'sk-pester-output'
    $script:Root = New-TestWorkspace
    Import-BtceduChapter -Path $Sample | Out-Null
    # One chapter is refused by the content policy: its Detail is the longest line a table shows.
    Set-FakeResponse -Status 400 -Body (@{ error = @{ message = 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.'; code = 'content_policy_violation'; type = 'invalid_request_error' } } | ConvertTo-Json -Compress)
    Set-FakeResponse -Image -Default
    $script:Results = @(Invoke-BtceduImageGen demo -ErrorAction SilentlyContinue)

    function Out-Table($InputObject) { ($InputObject | Format-Table | Out-String -Width 120) -split "`r?`n" }
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'Default tables at 120 columns' {
    It 'shows every visual type and status of a run in full, and the whole Detail (wrapped)' {
        $lines = Out-Table $Results
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        $text = $lines -join "`n"
        $text | Should -Not -Match '…'
        foreach ($type in 'talking_head', 'screen_share', 'title_card') { $text | Should -Match "\b$type\b" }
        $text | Should -Match '\bSkipped\b'
        $failed = $Results | Where-Object Status -eq Failed
        @($failed).Count | Should -Be 1
        ($lines -join ' ') -replace '\s+', ' ' | Should -Match ([regex]::Escape(($failed.Error -split '\s+')[-1]))
    }

    It 'fits the <Name> table in 120 columns without cutting a value' -ForEach @(
        @{ Name = 'chapter'; Command = { Get-BtceduChapter demo } }
        @{ Name = 'episode'; Command = { Get-BtceduEpisode } }
        @{ Name = 'media asset'; Command = { Get-BtceduMediaAsset demo } }
        @{ Name = 'image model'; Command = { Get-BtceduImageModel } }
    ) {
        $lines = Out-Table (& $Command)
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        ($lines -join "`n") | Should -Not -Match '…'
    }

    It 'names the prompt template and version in the media asset table (imagegen v1)' {
        # Chapters whose prompt the LLM wrote from the template, and chapters that gave their own image_prompt.
        $generated = @($Results | Where-Object Status -eq Generated | ForEach-Object ChapterId)
        $llm = $generated | Where-Object { $_ -in 'ch02', 'ch03', 'ch06', 'ch08' } | Select-Object -First 1
        $given = $generated | Where-Object { $_ -in 'ch04', 'ch05', 'ch07' } | Select-Object -First 1
        $asset = Get-BtceduMediaAsset demo -ChapterId $llm
        $asset.PromptName | Should -Be 'imagegen'
        $asset.Prompt | Should -Not -BeNullOrEmpty
        (Out-Table $asset) -join "`n" | Should -Match 'imagegen v1'
        $own = Get-BtceduMediaAsset demo -ChapterId $given
        $own.PromptName | Should -BeNullOrEmpty
        (Out-Table $own) -join "`n" | Should -Match "chapter's own"
    }
}

Describe 'ConvertTo-Json' {
    It 'writes enum values by name, while the properties stay typed for scripts' {
        $json = $Results | ConvertTo-Json | ConvertFrom-Json
        @($json.Status) | Should -Contain 'Generated'
        @($json.Status) | Should -Contain 'Failed'
        @($json.VisualType) | Should -Contain 'talking_head'
        (Get-BtceduEpisode demo | ConvertTo-Json | ConvertFrom-Json).Status | Should -Be 'IMAGES_GENERATED'
        (Get-BtceduChapter demo ch03 | ConvertTo-Json | ConvertFrom-Json).VisualType | Should -Be 'diagram'
        $model = Get-BtceduImageModel gpt-image-2 | ConvertTo-Json | ConvertFrom-Json
        $model.Status | Should -Be 'Active'
        $model.Family | Should -Be 'GptImage2'
        $Results[0].Status.GetType().FullName | Should -Be 'Btcedu.Core.ImageGen.ImageStatus'
    }

    It 'writes every enum property of every output type by name' {
        # Btcedu's own types: a .NET type a cmdlet returns (Export-BtceduGallery's FileInfo) serialises as PowerShell decides.
        $types = Get-Command -Module Btcedu | ForEach-Object { $_.OutputType.Type } | Where-Object { $_ -and $_.FullName -like 'Btcedu.*' } | Sort-Object FullName -Unique
        foreach ($type in $types) {
            foreach ($property in $type.GetProperties() | Where-Object { $_.PropertyType.IsEnum -or [Nullable]::GetUnderlyingType($_.PropertyType).IsEnum }) {
                $enum = if ($property.PropertyType.IsEnum) { $property.PropertyType } else { [Nullable]::GetUnderlyingType($property.PropertyType) }
                $value = [Enum]::GetValues($enum) | Select-Object -Last 1
                ConvertTo-Json @{ v = $value } -Compress | Should -Be "{`"v`":`"$value`"}" -Because "$($type.Name).$($property.Name)"
            }
        }
    }
}

Describe 'Verbose lines' {
    It 'name the episode and chapter of a retried call' {
        Set-FakeResponse -Status 429 -Body (@{ error = @{ message = 'Rate limit reached for images per minute'; code = 'rate_limit_exceeded'; type = 'requests' } } | ConvertTo-Json -Compress)
        $verbose = Invoke-BtceduImageGen demo -ChapterId ch03 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Where-Object { $_ -like 'demo/ch03: image: attempt 1 of 4 failed*' } | Should -Not -BeNullOrEmpty
    }
}
