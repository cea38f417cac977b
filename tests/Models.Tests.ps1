$ErrorActionPreference = 'Stop'

# Issue 9: today's OpenAI image models, as an operator meets them in PowerShell.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Psd1 = Join-Path $Repo 'Btcedu.psd1'
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module $Psd1 -Force
    $script:Fake = Start-FakeOpenAI
    $env:OPENAI_API_KEY = 'sk-pester-models-7c1d'

    function Set-FutureShutdown([string] $Model) {
        <# Announces a shutdown 90 days from now for $Model in the workspace's btcedu.yaml (a real catalogue
           override) and returns the date: shipped dates only move into the past, so Deprecated is made here. #>
        $date = [datetime]::UtcNow.Date.AddDays(90).ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture)
        Set-Content (Join-Path $Root 'btcedu.yaml') "image_models:`n  ${Model}:`n    shutdown: $date"
        $date
    }
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT, Env:BTCEDU_IMAGE_MODEL, Env:BTCEDU_IMAGE_RATE_LIMIT_PER_MINUTE -ErrorAction SilentlyContinue
}

Describe 'Get-BtceduImageModel' {
    BeforeAll { $script:Root = New-TestWorkspace }

    It 'lists the catalogue as typed objects with their status today' {
        $models = @(Get-BtceduImageModel)
        $models[0].GetType().FullName | Should -Be 'Btcedu.Core.Models.ImageModelListing'
        $byName = @{}; $models | ForEach-Object { $byName[$_.Name] = $_ }
        $byName['gpt-image-2'].Status | Should -Be 'Active'
        $byName['gpt-image-2'].IsConfigured | Should -BeTrue
        $byName['gpt-image-2'].DefaultSize | Should -Be '1920x1088'
        $byName['gpt-image-2'].ImageOutputPerMillionUsd | Should -Be 30
        # The test pins what is past for good; Deprecated comes from Set-FutureShutdown.
        $byName['gpt-image-1.5'].Status | Should -Be 'ShutDown'
        $byName['gpt-image-1'].Status | Should -Be 'ShutDown'
        $byName['dall-e-3'].ShutdownDate.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture) | Should -Be '2026-05-12'
        $shutDown = @(Get-BtceduImageModel -Status ShutDown).Name
        $shutDown | Should -Contain 'dall-e-3'
        $shutDown | Should -Contain 'gpt-image-1'
        $shutDown | Should -Not -Contain 'gpt-image-2'
        $future = Set-FutureShutdown 'gpt-image-1.5'
        try {
            $deprecated = Get-BtceduImageModel gpt-image-1.5
            $deprecated.Status | Should -Be 'Deprecated'
            $deprecated.ShutdownDate.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture) | Should -Be $future
            @(Get-BtceduImageModel -Status Deprecated).Name | Should -Contain 'gpt-image-1.5'
        }
        finally { Remove-Item (Join-Path $Root 'btcedu.yaml') }
        @(Get-BtceduImageModel 'gpt-image-2*').Count | Should -BeGreaterOrEqual 3
    }

    It 'shows a table with the status, shutdown date and replacement' {
        $table = Get-BtceduImageModel dall-e-3 | Format-Table | Out-String -Width 200
        $table | Should -Match 'Status'
        $table | Should -Match 'dall-e-3\s+ShutDown\s+2026-05-12\s+gpt-image-2\.5-sunburst'
    }

    It 'reports an unknown model as ObjectNotFound and a broken catalogue entry with its line' {
        Get-BtceduImageModel nope -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImageModelNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Set-Content (Join-Path $Root 'btcedu.yaml') "image_models:`n  gpt-image-2:`n    family: gpt-image-9"
        try {
            { Get-BtceduImageModel } | Should -Throw -ErrorId 'InvalidModelCatalog,*'
            try { Get-BtceduImageModel } catch { $_.Exception.Message | Should -Match 'line 3: image_models\.gpt-image-2\.family: unknown family' }
        }
        finally { Remove-Item (Join-Path $Root 'btcedu.yaml') }
    }
}

Describe 'Invoke-BtceduImageGen against today''s models' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        Set-FakeImageApi   # today's API with no limit, quota or key check
        $script:Before = @(Get-FakeRequest).Count
    }
    AfterEach {
        Remove-Item Env:BTCEDU_IMAGE_MODEL, Env:BTCEDU_IMAGE_RATE_LIMIT_PER_MINUTE -ErrorAction SilentlyContinue
        $env:OPENAI_BASE_URL = $Fake.BaseUrl
    }

    It 'dry-runs gpt-image-2 at 1920x1088 medium with a token estimate per chapter, the total and the paced duration' {
        $out = Invoke-ChildPwsh -Environment @{ BTCEDU_ROOT = $Root; BTCEDU_IMAGE_RATE_LIMIT_PER_MINUTE = '5' } -Script "Import-Module '$Psd1'; Invoke-BtceduImageGen demo -WhatIf"
        $text = $out -join "`n"
        $text | Should -Match 'gpt-image-2 1920x1088 medium \(cropped to 1920x1080\), about 1325 output tokens per image \(the catalogue''s rule\), estimated \$\d+\.\d{3}'
        $text | Should -Match 'Paced at 5 image\(s\) per minute: at least 1 minute'
        $text | Should -Match 'ch02 \(\w+\): no image yet, \$0\.04\d'
        @(Get-FakeRequest).Count | Should -Be $Before
    }

    It 'works with nothing configured but the key, and never draws a 429' {
        $results = @(Invoke-BtceduImageGen demo)
        @($results | Where Status -eq Generated).Count | Should -Be 10
        $requests = @(Get-FakeRequest | Select-Object -Skip $Before)
        $requests | ForEach-Object { ($_.body | ConvertFrom-Json).size | Should -Be '1920x1088' }
        (Invoke-RestMethod "$($Fake.Root)_fake/images").rateLimitHits | Should -Be 0
    }

    It 'refuses a shut-down model at OpenAI before writing or calling anything' {
        $env:OPENAI_BASE_URL = 'https://api.openai.com/v1'
        $env:BTCEDU_IMAGE_MODEL = 'gpt-image-1'
        $snapshot = Get-Snapshot $Root
        Invoke-BtceduImageGen demo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelRetired,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be 'gpt-image-1'
        $err[0].Exception.Message | Should -Match '2026-10-23'
        Get-Snapshot $Root | Should -Be $snapshot
    }

    It 'warns about a deprecated model, under -WhatIf too, and still runs it' {
        $future = Set-FutureShutdown 'gpt-image-1.5'
        $env:BTCEDU_IMAGE_MODEL = 'gpt-image-1.5'
        Invoke-BtceduImageGen demo -WhatIf -WarningVariable dryWarnings -WarningAction SilentlyContinue
        ($dryWarnings -join ' ') | Should -Match "deprecated and shuts down on $future"
        $results = @(Invoke-BtceduImageGen demo -WarningVariable warnings -WarningAction SilentlyContinue)
        @($warnings).Count | Should -Be 1
        @($results | Where Status -eq Generated).Count | Should -Be 10
    }

    It 'stops at a rejected key with one ApiKeyRejected error, at most ThrottleLimit calls, and $? False' {
        Set-FakeImageApi -RequiredKey 'sk-not-this-one'
        $results = @(Invoke-BtceduImageGen demo -ThrottleLimit 2 -ErrorVariable err -ErrorAction SilentlyContinue)
        $ok = $?
        $ok | Should -BeFalse
        @($err | Where-Object FullyQualifiedErrorId -like 'ApiKeyRejected,*').Count | Should -Be 1
        (@(Get-FakeRequest).Count - $Before) | Should -BeLessOrEqual 2
        @($results | Where Status -eq Failed).Count | Should -Be 0
        (Get-BtceduEpisode demo).Status | Should -Be 'CHAPTERIZED'
    }

    It 'stops at an exhausted quota as QuotaExhausted (a quota, never retried)' {
        Set-FakeImageApi -QuotaExhausted
        Invoke-BtceduImageGen demo -ThrottleLimit 3 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        @($err | Where-Object FullyQualifiedErrorId -like 'QuotaExhausted,*').Count | Should -Be 1
        (@(Get-FakeRequest).Count - $Before) | Should -BeLessOrEqual 3
    }

    It 'stops at a spend limit (<_>) as QuotaExhausted: one error, no chapter failed, never retried' -ForEach @(
        'organization_spend_limit_exceeded', 'project_spend_limit_exceeded', 'organization_usage_limit_exceeded', 'credit_balance_exhausted'
    ) {
        Set-FakeImageApi -QuotaExhausted -QuotaCode $_
        $results = @(Invoke-BtceduImageGen demo -ThrottleLimit 3 -ErrorVariable err -ErrorAction SilentlyContinue)
        $? | Should -BeFalse
        @($err | Where-Object FullyQualifiedErrorId -like 'QuotaExhausted,*').Count | Should -Be 1
        @($err | Where-Object FullyQualifiedErrorId -like 'QuotaExhausted,*')[0].Exception.Message | Should -Match $_
        @($results | Where Status -eq Failed).Count | Should -Be 0
        (@(Get-FakeRequest).Count - $Before) | Should -BeLessOrEqual 3
        (Get-BtceduEpisode demo).Status | Should -Be 'CHAPTERIZED'
    }

    It 'estimates by the catalogue''s rule at first and by the settled images once there are some, in -WhatIf and Get-BtceduImageModel' {
        $first = Get-BtceduImageModel gpt-image-2
        $first.EstimateSource | Should -Be 'TokenRule'
        $first.EstimatedOutputTokens | Should -Be 1325
        $first.EstimatedCostUsd | Should -BeLessThan 0.042
        $first.BatchSupported | Should -BeTrue
        @(Invoke-BtceduImageGen demo | Where Status -eq Generated).Count | Should -Be 10
        $after = Get-BtceduImageModel gpt-image-2
        $after.EstimateSource | Should -Be 'Ledger'
        $after.SettledImages | Should -Be 10
        $after.EstimatedOutputTokens | Should -Be 1325   # the fake bills by OpenAI's rule
        ((Get-BtceduImageModel gpt-image-2 | Format-Table | Out-String -Width 120) -split "`n" | Where-Object { $_ -match 'gpt-image-2 \*' }) | Should -Match 'ledger'
        $text = (Invoke-ChildPwsh -Environment @{ BTCEDU_ROOT = $Root } -Script "Import-Module '$Psd1'; Invoke-BtceduImageGen demo -Force -WhatIf") -join "`n"
        $text | Should -Match "about 1325 output tokens per image \(the most among this workspace's last 10 settled image\(s\) of this model, size and quality\)"
    }

    It 'stops at a model the endpoint does not serve as ImageModelUnavailable, after the gateway warning' {
        $env:BTCEDU_IMAGE_MODEL = 'dall-e-3'
        Invoke-BtceduImageGen demo -ThrottleLimit 2 -ErrorVariable err -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        ($warnings -join ' ') | Should -Match 'shut down by OpenAI on 2026-05-12'
        @($err | Where-Object FullyQualifiedErrorId -like 'ImageModelUnavailable,*').Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        (@(Get-FakeRequest).Count - $Before) | Should -BeLessOrEqual 2
    }

    It 'explains with -Verbose why each chapter costs money or not' {
        $first = Invoke-BtceduImageGen demo -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $first | Should -Contain 'demo/ch01: skipped, title_card visuals come from brand templates; its brand card is made locally, at no cost.'
        ($first -join "`n") | Should -Match 'demo/ch02: generated because no image yet, about \$0\.04\d with the LLM''s prompt\.'
        $second = Invoke-BtceduImageGen demo -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $second | Should -Contain 'demo/ch02: kept, image matches the chapter; nothing to pay.'
        $second | Should -Contain 'demo/ch01: skipped, title_card visuals come from brand templates.'
    }
}
