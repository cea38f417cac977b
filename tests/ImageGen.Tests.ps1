$ErrorActionPreference = 'Stop'

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    $script:Key = 'sk-pester-SECRET-9f2c'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = $Key
    $script:Eligible = @(Get-Content -Raw $Sample | ConvertFrom-Json).chapters | Where-Object { $_.visual.type -in 'diagram', 'b_roll', 'screen_share' }
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'Invoke-BtceduImageGen' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        $script:Before = @(Get-FakeRequest).Count
    }

    It 'is a dry run under -WhatIf: nothing is called or written' {
        $snapshot = Get-Snapshot $Root
        $out = Invoke-BtceduImageGen demo -WhatIf
        $out | Should -BeNullOrEmpty
        @(Get-FakeRequest).Count | Should -Be $Before
        Get-Snapshot $Root | Should -Be $snapshot
        (Get-BtceduEpisode demo).Status | Should -Be 'CHAPTERIZED'
    }

    It 'generates every eligible chapter, reports each in chapter order and sets IMAGES_GENERATED' {
        $results = Invoke-BtceduImageGen demo
        $results.Count | Should -Be 12
        $results[0].GetType().FullName | Should -Be 'Btcedu.Core.ImageGen.ImageGenChapterResult'
        ($results.ChapterId -join ',') | Should -Be ((1..12 | ForEach-Object { 'ch{0:00}' -f $_ }) -join ',')
        @($results | Where Status -eq Generated).Count | Should -Be $Eligible.Count
        @($results | Where Status -eq Skipped).VisualType | ForEach-Object ToString | Sort-Object | Should -Be @('talking_head', 'title_card')
        @(Get-FakeRequest).Count | Should -Be ($Before + $Eligible.Count)
        (Get-BtceduEpisode demo).Status | Should -Be 'IMAGES_GENERATED'
        foreach ($r in $results | Where Status -eq Generated) { Test-Path $r.Path | Should -BeTrue }
        $manifest = Get-Content -Raw (Join-Path $Root 'data/outputs/demo/images/manifest.json') | ConvertFrom-Json
        $manifest.images.Count | Should -Be 12
    }

    It 'spends nothing on a second run' {
        Invoke-BtceduImageGen demo | Out-Null
        $after = @(Get-FakeRequest).Count
        $second = Invoke-BtceduImageGen demo
        @(Get-FakeRequest).Count | Should -Be $after
        ($second | Measure-Object CostUsd -Sum).Sum | Should -Be 0
        @($second | Where Status -eq Unchanged).Count | Should -Be $Eligible.Count
    }

    It 'regenerates only piped diagrams with -Force' {
        Invoke-BtceduImageGen demo | Out-Null
        $after = @(Get-FakeRequest).Count
        $diagrams = @(Get-BtceduChapter demo | Where VisualType -eq diagram)
        $results = @(Get-BtceduChapter demo | Where VisualType -eq diagram | Invoke-BtceduImageGen -Force)
        $results.ChapterId | Should -Be $diagrams.ChapterId
        $results | ForEach-Object { $_.Status | Should -Be 'Generated' }
        @(Get-FakeRequest).Count | Should -Be ($after + $diagrams.Count)
    }

    It 'regenerates one chapter with -ChapterId' {
        Invoke-BtceduImageGen demo | Out-Null
        $after = @(Get-FakeRequest).Count
        $result = @(Invoke-BtceduImageGen demo -ChapterId ch04)
        $result.Count | Should -Be 1
        $result[0].ChapterId | Should -Be 'ch04'
        $result[0].Status | Should -Be 'Generated'
        @(Get-FakeRequest).Count | Should -Be ($after + 1)
    }

    It 'lets a rejected chapter fail alone and be found with Where Status -eq Failed' {
        $policy = '{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}'
        Set-FakeResponse -Status 400 -Body $policy
        $failed = @(Invoke-BtceduImageGen demo -ThrottleLimit 1 -ErrorVariable err -ErrorAction SilentlyContinue | Where Status -eq Failed)
        $failed.Count | Should -Be 1
        $failed[0].ChapterId | Should -Be $Eligible[0].chapter_id
        $failed[0].Error | Should -Match 'ContentPolicyRejected'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImageGenerationFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject.ChapterId | Should -Be $Eligible[0].chapter_id
        (Get-BtceduEpisode demo).Status | Should -Be 'IMAGES_GENERATED'
    }

    It 'shows a one-line summary on the information stream, not in the output' {
        $all = Invoke-BtceduImageGen demo 6>&1
        $info = @($all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] })
        $info.Count | Should -Be 1
        "$($info[0].MessageData)" | Should -Match "demo: $($Eligible.Count) generated, 0 unchanged, 2 skipped, 0 failed; \$\d+\.\d{3} spent"
        @($all | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }).Count | Should -Be 12
    }

    It 'stops at the cost cap with CostLimitExceeded and never passes it' {
        $results = Invoke-BtceduImageGen demo -MaxCostUsd 0.2 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CostLimitExceeded,*'
        $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err[0].TargetObject | Should -Be 'demo'
        ($results | Measure-Object CostUsd -Sum).Sum | Should -BeLessOrEqual 0.2
        @($results | Where Status -eq CostLimited).Count | Should -BeGreaterThan 0
        (Get-BtceduEpisode demo).Status | Should -Be 'COST_LIMIT'
    }

    It 'fails before any work without an API key, and says how to set it' {
        Remove-Item Env:OPENAI_API_KEY
        try {
            $snapshot = Get-Snapshot $Root
            Invoke-BtceduImageGen demo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'OpenAiApiKeyMissing,*'
            $err[0].Exception.Message | Should -Match 'OPENAI_API_KEY'
            @(Get-FakeRequest).Count | Should -Be $Before
            Get-Snapshot $Root | Should -Be $snapshot
        }
        finally { $env:OPENAI_API_KEY = $Key }
    }

    It 'refuses a second process, survives a kill mid-run and resumes without paying twice' {
        Set-FakeResponse -Image -DelayMs 700 -Default
        try {
            $psd1 = Join-Path $Repo 'Btcedu.psd1'
            $script = "Import-Module '$psd1'; Invoke-BtceduImageGen demo -ThrottleLimit 1 | Out-Null"
            $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
            foreach ($a in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))) { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false
            $child = [Diagnostics.Process]::Start($psi)
            $manifest = Join-Path $Root 'data/outputs/demo/images/manifest.json'
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ((Test-Path $manifest) -and @((Get-Content -Raw $manifest | ConvertFrom-Json).images | Where status -eq generated).Count -ge 2)) {
                if ([DateTime]::UtcNow -gt $deadline -or $child.HasExited) { throw 'the first run did not get going' }
                Start-Sleep -Milliseconds 100
            }

            Invoke-BtceduImageGen demo -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'EpisodeLocked,*'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $err[0].Exception.Message | Should -Match "process $($child.Id)"

            $child.Kill()
            $child.WaitForExit()
            $finished = @((Get-Content -Raw $manifest | ConvertFrom-Json).images | Where status -eq generated).Count
            $finished | Should -BeLessThan $Eligible.Count
            Set-FakeResponse -Image -Default

            $resumed = Invoke-BtceduImageGen demo
            @($resumed | Where Status -eq Generated).Count | Should -Be ($Eligible.Count - $finished)
            @($resumed | Where Status -eq Unchanged).Count | Should -Be $finished
            # Each finished image was paid once; at most the one call in flight at the kill was repeated.
            (@(Get-FakeRequest).Count - $Before) | Should -BeLessOrEqual ($Eligible.Count + 1)
        }
        finally {
            Set-FakeResponse -Image -Default
            if ($child -and -not $child.HasExited) { $child.Kill() }
        }
    }

    It 'stops cleanly on Ctrl+C: no lock left, a valid manifest, every finished image kept' {
        Set-FakeResponse -Image -DelayMs 400 -Default
        $ps = [powershell]::Create()
        try {
            $psd1 = Join-Path $Repo 'Btcedu.psd1'
            $null = $ps.AddScript("Import-Module '$psd1'; Invoke-BtceduImageGen demo -ThrottleLimit 1")
            $handle = $ps.BeginInvoke()
            $manifest = Join-Path $Root 'data/outputs/demo/images/manifest.json'
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not ((Test-Path $manifest) -and @((Get-Content -Raw $manifest | ConvertFrom-Json).images | Where status -eq generated).Count -ge 1)) {
                if ([DateTime]::UtcNow -gt $deadline) { throw 'the run did not get going' }
                Start-Sleep -Milliseconds 50
            }
            $ps.Stop()                                   # what Ctrl+C does to the pipeline
            $handle.IsCompleted | Should -BeTrue
            # The lock file stays (it is never deleted); nobody holds it any more.
            { [IO.File]::Open((Join-Path $Root 'data/outputs/demo/.imagegen.lock'), 'Open', 'Read', 'None').Dispose() } | Should -Not -Throw
            Test-Path (Join-Path $Root 'data/outputs/demo/.imagegen.lock.holder') | Should -BeFalse
            $images = (Get-Content -Raw $manifest | ConvertFrom-Json).images
            $images.Count | Should -Be 12
            foreach ($i in $images | Where status -eq generated) { Test-Path (Join-Path $Root "data/outputs/demo/$($i.file_path)") | Should -BeTrue }
            (Get-BtceduEpisode demo).Status | Should -Be 'CHAPTERIZED'
        }
        finally {
            Set-FakeResponse -Image -Default
            $ps.Dispose()
        }
    }

    It 'generates beside a conflicting System.ClientModel loaded first' {
        $fake = New-ImpostorAssembly -Name System.ClientModel -Path (Join-Path $Root 'System.ClientModel.dll')
        $psd1 = Join-Path $Repo 'Btcedu.psd1'
        $out = Invoke-ChildPwsh -Script @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$fake'
[System.ClientModel.Impostor].Assembly.GetName().Version.ToString()
Import-Module '$psd1'
@(Invoke-BtceduImageGen demo -ChapterId ch04 6>`$null).Status.ToString()
"@
        $out | Should -Be @('99.0.0.0', 'Generated')
    }

    It 'never writes the API key anywhere' {
        Invoke-BtceduImageGen demo -Verbose 4>&1 | Out-String | Should -Not -Match $Key
        Get-ChildItem $Root -Recurse -File | Where-Object { Select-String -LiteralPath $_.FullName -SimpleMatch $Key -Quiet } | Should -BeNullOrEmpty
    }
}

Describe 'Get-BtceduMediaAsset' {
    BeforeAll {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        $script:Run = Invoke-BtceduImageGen demo
    }

    It 'lists one image asset per generated chapter, from piped chapters' {
        $assets = @(Get-BtceduChapter demo | Get-BtceduMediaAsset)
        $assets.Count | Should -Be $Eligible.Count
        $assets[0].GetType().FullName | Should -Be 'Btcedu.Core.Storage.MediaAsset'
        $assets | ForEach-Object { $_.AssetType | Should -Be 'image'; $_.Model | Should -Be 'gpt-image-2'; Test-Path $_.Path | Should -BeTrue }
    }

    It 'sums its cost with Measure-Object' {
        $sum = (Get-BtceduMediaAsset demo | Measure-Object CostUsd -Sum).Sum
        $sum | Should -Be ($Run | Measure-Object CostUsd -Sum).Sum
        $sum | Should -BeGreaterThan 0
    }

    It 'filters by chapter and finds missing files' {
        (Get-BtceduMediaAsset demo -ChapterId ch04).ChapterId | Should -Be 'ch04'
        Get-BtceduMediaAsset demo -Missing | Should -BeNullOrEmpty
        Remove-Item (Get-BtceduMediaAsset demo -ChapterId ch04).Path
        (Get-BtceduMediaAsset demo -Missing).ChapterId | Should -Be 'ch04'
        (Get-BtceduMediaAsset -AssetType image | Measure-Object).Count | Should -Be $Eligible.Count
    }

    It 'reports an unknown episode as ObjectNotFound' {
        Get-BtceduMediaAsset nope -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
    }
}
