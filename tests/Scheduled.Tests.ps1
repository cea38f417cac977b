$ErrorActionPreference = 'Stop'

# examples/scheduled-imagegen.ps1 as a scheduler runs it: a fresh pwsh -NonInteractive -File, against the loopback
# fake, with its exit code and its dated log.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    $script:Script = Join-Path $Repo 'examples/scheduled-imagegen.ps1'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = 'sk-pester-scheduled'

    function Invoke-Scheduled([string[]] $Arguments = @()) {
        <# Runs the script in a child pwsh as a scheduled task would; returns its exit code and log. #>
        $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $Script @Arguments 2>&1
        $code = $LASTEXITCODE
        $logFile = Get-ChildItem (Join-Path $Root 'logs') -Filter 'imagegen-*.log' | Select-Object -First 1
        [pscustomobject]@{ ExitCode = $code; Output = ($output -join "`n"); LogName = $logFile.Name; Log = if ($logFile) { Get-Content -Raw $logFile.FullName } }
    }
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'examples/scheduled-imagegen.ps1' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
    }
    AfterEach {
        Set-FakeImageApi
        Remove-Item -LiteralPath $Root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'exits 0 when every chapter is done, and logs each chapter to a dated file' {
        # The day is read on both sides of the run, so a run across midnight names either day, never a third.
        $before = 'imagegen-{0:yyyy-MM-dd}.log' -f (Get-Date)
        $run = Invoke-Scheduled
        $after = 'imagegen-{0:yyyy-MM-dd}.log' -f (Get-Date)
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.LogName | Should -BeIn @($before, $after)
        $run.Log | Should -Match 'demo/ch02 Generated'
        $run.Log | Should -Match 'exit code 0'
        (Get-BtceduEpisode demo).Status | Should -Be 'IMAGES_GENERATED'
        (Invoke-Scheduled).ExitCode | Should -Be 0 -Because 'a second run finds everything unchanged'
    }

    It 'exits 2 when a chapter fails (ImageGenerationFailed)' {
        $policy = '{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}'
        Set-FakeResponse -Status 400 -Body $policy
        $run = Invoke-Scheduled
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Log | Should -Match 'ERROR ImageGenerationFailed'
    }

    It 'exits 1 when the cost cap stops an episode (CostLimitExceeded), and picks the COST_LIMIT episode up again' {
        $run = Invoke-Scheduled -Arguments '-MaxCostUsd', '0.2'
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Log | Should -Match 'ERROR CostLimitExceeded'
        (Get-BtceduEpisode demo).Status | Should -Be 'COST_LIMIT'
        (Invoke-Scheduled).ExitCode | Should -Be 0 -Because 'under the default cap the next run finishes the episode'
    }

    It 'exits 3 and tries no further episode when the key is rejected (ApiKeyRejected)' {
        $second = Join-Path $Root 'demo2.json'
        [IO.File]::WriteAllText($second, ([IO.File]::ReadAllText($Sample) -replace '"episode_id":\s*"demo"', '"episode_id": "demo2"'))
        Import-BtceduChapter -EpisodeId demo2 -Path $second | Out-Null
        Set-FakeImageApi -RequiredKey 'sk-not-this-one'
        $run = Invoke-Scheduled
        $run.ExitCode | Should -Be 3 -Because $run.Output
        $run.Log | Should -Match 'ERROR ApiKeyRejected'
        @([regex]::Matches($run.Log, 'ERROR ApiKeyRejected')).Count | Should -Be 1 -Because 'the second episode is not tried'
    }

    It 'exits 3 when the project reached its spend limit (QuotaExhausted, project_spend_limit_exceeded)' {
        Set-FakeImageApi -QuotaExhausted -QuotaCode 'project_spend_limit_exceeded'
        $run = Invoke-Scheduled
        $run.ExitCode | Should -Be 3 -Because $run.Output
        $run.Log | Should -Match 'ERROR QuotaExhausted'
        $run.Log | Should -Match 'project_spend_limit_exceeded'
        $run.Log | Should -Not -Match 'ImageGenerationFailed'
    }

    It 'exits 3 when the workspace cannot be used (a bad setting)' {
        Set-Content -LiteralPath (Join-Path $Root 'btcedu.yaml') -Value 'max_episode_cost_usd: 0,1'
        $run = Invoke-Scheduled
        $run.ExitCode | Should -Be 3 -Because $run.Output
        $run.Log | Should -Match 'InvalidSetting'
    }

    Context '-Batch' {
        AfterEach { Set-FakeBatchApi }

        It 'exits 0 when it submits, and 0 when it collects the next night' {
            $first = Invoke-Scheduled -Arguments '-Batch'
            $first.ExitCode | Should -Be 0 -Because $first.Output
            $first.Log | Should -Match 'demo: submitted batch batch_fake\d+, 10 request\(s\)'
            $second = Invoke-Scheduled -Arguments '-Batch'
            $second.ExitCode | Should -Be 0 -Because $second.Output
            $second.Log | Should -Match 'demo/ch02 Generated \$0\.0\d+ collected from batch'
            (Get-BtceduEpisode demo).Status | Should -Be 'IMAGES_GENERATED'
        }

        It 'exits 2 when a batched chapter fails (ImageGenerationFailed)' {
            Set-FakeBatchApi -FailPrompts 'linked blocks' # the prompts the fake LLM writes
            Invoke-BtceduImageGen demo -Batch | Out-Null   # last night's submit
            $run = Invoke-Scheduled -Arguments '-Batch'
            $run.ExitCode | Should -Be 2 -Because $run.Output
            $run.Log | Should -Match 'ERROR ImageGenerationFailed'
            $run.Log | Should -Match 'moderation'
        }

        It 'exits 1 when the cap leaves chapters out of the batch (CostLimitExceeded)' {
            $run = Invoke-Scheduled -Arguments '-Batch', '-MaxCostUsd', '0.1'
            $run.ExitCode | Should -Be 1 -Because $run.Output
            $run.Log | Should -Match 'ERROR CostLimitExceeded'
        }

        It 'exits 3 when the model has no batch prices (BatchNotSupported)' {
            Set-Content -LiteralPath (Join-Path $Root 'btcedu.yaml') -Value 'image_model: gpt-image-2.6-sunburst'
            $run = Invoke-Scheduled -Arguments '-Batch'
            $run.ExitCode | Should -Be 3 -Because $run.Output
            $run.Log | Should -Match 'ERROR BatchNotSupported'
            $run.Log | Should -Match 'batch_prices'
        }
    }
}
