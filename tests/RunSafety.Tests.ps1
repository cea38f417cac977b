$ErrorActionPreference = 'Stop'

# Run safety as real processes see it: two runs started together, runs killed with SIGKILL (and left
# unreaped), failures a scheduled script must notice, and -Debug in a non-interactive session.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Psd1 = Join-Path $Repo 'Btcedu.psd1'
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    $script:Key = 'sk-pester-SAFETY-5e1d'
    Import-Module $Psd1 -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = $Key

    function New-SmallEpisode([string] $EpisodeId) {
        # Three generated chapters with their own prompts (no LLM call): a quick run.
        $doc = Get-Content -Raw $Sample | ConvertFrom-Json
        $chapters = @($doc.chapters | Where-Object chapter_id -in 'ch04', 'ch05', 'ch07')
        for ($i = 0; $i -lt $chapters.Count; $i++) { $chapters[$i].order = $i + 1 }
        $doc.chapters = $chapters
        $doc.episode_id = $EpisodeId
        $doc.total_chapters = $chapters.Count
        $doc.estimated_duration_seconds = [int]($chapters.narration.estimated_duration_seconds | Measure-Object -Sum).Sum
        $file = Join-Path ([IO.Path]::GetTempPath()) "btcedu-$EpisodeId-$([guid]::NewGuid().ToString('N')).json"
        $doc | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $file -Encoding utf8NoBOM
        try { Import-BtceduChapter -Path $file | Out-Null } finally { Remove-Item -LiteralPath $file }
    }

    function Start-Child([string] $Script, [string[]] $Arguments = @()) {
        # A child pwsh running a script file (its output is not captured, so it can never block on a full pipe).
        $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        foreach ($a in @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $Script) + $Arguments) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        [Diagnostics.Process]::Start($psi)
    }

    function Wait-Until([scriptblock] $Condition, [int] $Seconds = 60, [string] $What = 'the condition') {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "timed out waiting for $What" }
            Start-Sleep -Milliseconds 20
        }
    }
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'The episode lock' {
    It 'lets exactly one of two processes started together run, in every one of 20 trials, and no chapter is paid twice' {
        $root = New-TestWorkspace
        $trials = 20
        foreach ($t in 1..$trials) { New-SmallEpisode ('race{0:00}' -f $t) }
        # Long enough that the winner still holds the lock when the loser tries; short enough to keep trials quick.
        Set-FakeResponse -Image -DelayMs 150 -Default
        $signals = Join-Path $root 'signals'
        New-Item -ItemType Directory -Path $signals | Out-Null
        # Two long-lived processes (pwsh starts in seconds, a trial takes a fraction of one): each sleeps until
        # arm-<n>, then spins until go-<n> so that both leave the mark within microseconds of each other, and runs
        # episode n. Spinning only between arm and go (0.1 s) keeps two spinning children off the cores the rest
        # of the suite shares.
        $childScript = Join-Path $root 'racer.ps1'
        Set-Content -LiteralPath $childScript -Value @'
param([string] $Psd1, [string] $Signals, [int] $Trials)
Import-Module $Psd1
[IO.File]::WriteAllText((Join-Path $Signals "ready-$PID"), '')
for ($n = 1; $n -le $Trials; $n++) {
    $arm = Join-Path $Signals "arm-$n"
    while (-not [IO.File]::Exists($arm)) { [Threading.Thread]::Sleep(2) }
    $go = Join-Path $Signals "go-$n"
    while (-not [IO.File]::Exists($go)) { [Threading.Thread]::Yield() | Out-Null }
    $episode = 'race{0:00}' -f $n
    $results = @(Invoke-BtceduImageGen $episode -ErrorVariable failed -ErrorAction SilentlyContinue 6>$null)
    $line = if ($failed) { "refused $($failed[0].FullyQualifiedErrorId)" } else { "ran $(@($results | Where-Object Status -eq Generated).Count)" }
    # Written aside, then renamed: the parent never reads a result file before its line is in it.
    [IO.File]::WriteAllText((Join-Path $Signals "partial-$n-$PID"), $line)
    [IO.File]::Move((Join-Path $Signals "partial-$n-$PID"), (Join-Path $Signals "result-$n-$PID"))
}
'@
        $children = @(1, 2 | ForEach-Object { Start-Child $childScript @($Psd1, $signals, "$trials") })
        try {
            Wait-Until { @(Get-ChildItem $signals -Filter 'ready-*').Count -eq 2 } -What 'both racers to import the module'
            $clock = [Diagnostics.Stopwatch]::StartNew()
            foreach ($n in 1..$trials) {
                $before = @(Get-FakeRequest).Count
                New-Item -ItemType File -Path (Join-Path $signals "arm-$n") | Out-Null
                Start-Sleep -Milliseconds 100
                New-Item -ItemType File -Path (Join-Path $signals "go-$n") | Out-Null
                Wait-Until { @(Get-ChildItem $signals -Filter "result-$n-*").Count -eq 2 } -Seconds 30 -What "trial $n"
                $outcomes = @(Get-ChildItem $signals -Filter "result-$n-*" | ForEach-Object { Get-Content -Raw $_.FullName })
                $calls = @(Get-FakeRequest | Select-Object -Skip $before)
                # Exactly one run proceeded and generated all three chapters; the other was refused.
                (@($outcomes | Where-Object { $_ -eq 'ran 3' }).Count, @($outcomes | Where-Object { $_ -like 'refused EpisodeLocked,*' }).Count) |
                    Should -Be @(1, 1) -Because "trial ${n}: $($outcomes -join ' | ')"
                # Zero double calls: one image request per chapter.
                $calls.Count | Should -Be 3 -Because "trial $n"
                @($calls | Group-Object { ($_.body | ConvertFrom-Json).prompt } | Where-Object Count -gt 1) | Should -BeNullOrEmpty
            }
            $clock.Stop()
            Write-Host "    $trials lock trials in $([Math]::Round($clock.Elapsed.TotalSeconds, 1)) s"
        }
        finally {
            Set-FakeResponse -Image -Default
            foreach ($c in $children) { if (-not $c.HasExited) { $c.Kill() }; $c.WaitForExit() }
        }
    }
}

Describe 'File locking switched off' {
    It 'refuses to run unguarded when .NET is told not to lock files' -Skip:$IsWindows {
        $null = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        $before = @(Get-FakeRequest).Count
        $out = Invoke-ChildPwsh -Environment @{ DOTNET_SYSTEM_IO_DISABLEFILELOCKING = '1' } -Script @"
Import-Module '$Psd1'
Invoke-BtceduImageGen demo -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
`$err[0].FullyQualifiedErrorId
"@
        $out | Should -BeLike 'EpisodeLockUnavailable,*'
        @(Get-FakeRequest).Count | Should -Be $before -Because 'nothing is called'
    }
}

Describe 'A killed run' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        $script:RunScript = Join-Path $TestDrive 'run.ps1'
        Set-Content -LiteralPath $RunScript -Value "Import-Module '$Psd1'; Invoke-BtceduImageGen demo -ThrottleLimit 1 | Out-Null"
        $script:Manifest = Join-Path $Root 'data/outputs/demo/images/manifest.json'
        $script:GeneratedSoFar = { if (Test-Path $Manifest) { @((Get-Content -Raw $Manifest | ConvertFrom-Json).images | Where-Object status -eq generated).Count } else { 0 } }
        Set-FakeResponse -Image -DelayMs 500 -Default
    }
    AfterEach {
        Set-FakeResponse -Image -Default
    }

    It 'is recorded as interrupted, with what it spent, by the next Get; a row whose run is alive stays running' {
        $child = Start-Child $RunScript
        try {
            Wait-Until { (& $GeneratedSoFar) -ge 2 -or $child.HasExited } -What 'the run to generate two images'
            # While the run is alive, a Get leaves its row alone.
            Get-BtceduEpisode demo | Out-Null
            (Invoke-BtceduSql $Root 'SELECT status FROM pipeline_runs').status | Should -Be 'running'
            $child.Kill()
            $child.WaitForExit()
        }
        finally { if (-not $child.HasExited) { $child.Kill() } }
        $before = Invoke-BtceduSql $Root 'SELECT status, estimated_cost_usd FROM pipeline_runs'
        $before.status | Should -Be 'running'
        # At least what its finished images cost (the manifest holds at least the two waited for; the row may hold more).
        $finished = @((Get-Content -Raw $Manifest | ConvertFrom-Json).images | Where-Object status -eq generated)
        $finished.Count | Should -BeGreaterOrEqual 2
        $before.estimated_cost_usd | Should -BeGreaterOrEqual ((($finished | Measure-Object cost_usd -Sum).Sum) - 0.000001)

        Get-BtceduEpisode demo | Out-Null

        $after = Invoke-BtceduSql $Root 'SELECT status, estimated_cost_usd, completed_at FROM pipeline_runs'
        $after.status | Should -Be 'interrupted'
        $after.estimated_cost_usd | Should -Be $before.estimated_cost_usd   # still counts against the cap
        $after.completed_at | Should -Not -BeNullOrEmpty
    }

    It 'is recorded as interrupted by the next run, which counts what it spent' {
        $child = Start-Child $RunScript
        try {
            Wait-Until { (& $GeneratedSoFar) -ge 1 -or $child.HasExited } -What 'the run to generate an image'
            $child.Kill()
            $child.WaitForExit()
        }
        finally { if (-not $child.HasExited) { $child.Kill() } }
        Set-FakeResponse -Image -Default
        $spent = (Invoke-BtceduSql $Root 'SELECT estimated_cost_usd FROM pipeline_runs').estimated_cost_usd

        $results = Invoke-BtceduImageGen demo -WhatIf:$false 6>$null

        $runs = @(Invoke-BtceduSql $Root 'SELECT status, estimated_cost_usd FROM pipeline_runs ORDER BY id')
        $runs.status | Should -Be @('interrupted', 'success')
        $runs[0].estimated_cost_usd | Should -Be $spent
        @($results | Where-Object Status -eq Generated).Count | Should -BeGreaterThan 0
    }

    It 'does not block the next run while it is a zombie nobody has reaped' -Skip:(-not $IsLinux) {
        # sh starts the run in the background and then becomes `sleep`, which never waits for children: once
        # killed, the run stays a zombie (state Z, its pid still taken) for as long as the test needs.
        $pidFile = Join-Path $TestDrive 'run.pid'
        $psi = [Diagnostics.ProcessStartInfo]::new('/bin/sh')
        foreach ($a in '-c', '"$0" "$1" -NoProfile -NonInteractive -File "$2" & echo $! > "$3"; exec sleep 300',
            [Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll'), $RunScript, $pidFile) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $parent = [Diagnostics.Process]::Start($psi)
        try {
            Wait-Until { (Test-Path $pidFile) -and (& $GeneratedSoFar) -ge 1 } -What 'the run to generate an image'
            $runPid = [int](Get-Content $pidFile)
            $state = { ((Get-Content -Raw "/proc/$runPid/stat") -replace '^.*\) ', '')[0] }
            (Get-Process -Id $runPid).Kill()
            # The leader shows Z as soon as it exits, while its other threads may still be dying; the process is a
            # plain zombie (what the item is about) once only the leader is left.
            $threads = { [int]((Get-Content "/proc/$runPid/status" | Where-Object { $_ -like 'Threads:*' } | Select-Object -First 1) -replace '\D', '') }
            Wait-Until { (& $state) -eq 'Z' -and (& $threads) -le 1 } -Seconds 10 -What 'the run to become a zombie'
            Set-FakeResponse -Image -Default

            $results = @(Invoke-BtceduImageGen demo -ErrorVariable err -ErrorAction SilentlyContinue 6>$null)

            $err | Should -BeNullOrEmpty
            @($results | Where-Object Status -eq Generated).Count | Should -BeGreaterThan 0
            & $state | Should -Be 'Z'     # it was a zombie throughout
        }
        finally {
            if (-not $parent.HasExited) { $parent.Kill() }   # init adopts and reaps the zombie
            $parent.WaitForExit()
        }
    }
}

Describe 'Failed chapters' {
    BeforeAll {
        $script:Root = New-TestWorkspace
        # A content-policy rejection fails its own chapter (an answer that no retry can fix for anyone, such as a
        # rejected key, stops the whole run instead: see Models.Tests.ps1).
        $script:Rejected = '{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}'
    }
    BeforeEach {
        $script:Episode = 'fail' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        New-SmallEpisode $Episode
        Set-FakeResponse -Status 400 -Body $Rejected -Default
    }
    AfterEach {
        Set-FakeResponse -Image -Default
    }

    It 'write one ImageGenerationFailed error each, beside their result, so $? is False and -ErrorVariable has them all' {
        $results = @(Invoke-BtceduImageGen $Episode -ErrorVariable failures -ErrorAction SilentlyContinue 6>$null)
        $succeeded = $?

        $succeeded | Should -BeFalse
        @($results | Where-Object Status -eq Failed).Count | Should -Be 3
        $failures.Count | Should -Be 3
        foreach ($f in $failures) {
            $f.FullyQualifiedErrorId | Should -Be 'ImageGenerationFailed,Btcedu.PowerShell.Commands.InvokeBtceduImageGenCommand'
            $f.CategoryInfo.Category | Should -Be 'InvalidData'
            $f.Exception.Message | Should -Match 'safety system'
            $f.TargetObject.EpisodeId | Should -Be $Episode
        }
        $failures.TargetObject.ChapterId | Should -Be $results.ChapterId
    }

    It 'stop the run at the first one under -ErrorAction Stop, and release the lock' {
        # Slow refusals, so the next chapter's call is still in flight when the first failure stops the run.
        Set-FakeResponse -Status 400 -Body $Rejected -DelayMs 400 -Default
        $before = @(Get-FakeRequest).Count
        $thrown = $null
        try { Invoke-BtceduImageGen $Episode -ThrottleLimit 1 -ErrorAction Stop 6>$null | Out-Null }
        catch { $thrown = $_ }

        $thrown.FullyQualifiedErrorId | Should -Be 'ImageGenerationFailed,Btcedu.PowerShell.Commands.InvokeBtceduImageGenCommand'
        $thrown.TargetObject.ChapterId | Should -Be 'ch04'
        (@(Get-FakeRequest).Count - $before) | Should -BeLessThan 3      # the rest were not called
        Set-FakeResponse -Image -Default
        @(Invoke-BtceduImageGen $Episode 6>$null | Where-Object Status -eq Generated).Count | Should -Be 3
    }

    It 'make a scheduled pwsh -File script exit non-zero' {
        $scheduled = Join-Path $TestDrive 'scheduled.ps1'
        Set-Content -LiteralPath $scheduled -Value @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Psd1'
try { Invoke-BtceduImageGen '$Episode' | Out-Null }
catch { Write-Host "failed: `$(`$_.FullyQualifiedErrorId)"; exit 1 }
Write-Host 'all generated'
"@
        $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $scheduled 2>&1
        $LASTEXITCODE | Should -Be 1
        "$output" | Should -Match 'failed: ImageGenerationFailed'
    }
}

Describe '-Debug' {
    It 'writes debug records and never prompts in a non-interactive session' {
        $root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        # A retry makes the run write a verbose line, which -Debug used to turn into a prompt.
        Set-FakeResponse -Status 500 -Body '{"error":{"message":"boom","type":"server_error"}}'
        $out = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Psd1'
`$all = Invoke-BtceduImageGen demo -ChapterId ch04 -Debug 5>&1 6>`$null
`$debug = @(`$all | Where-Object { `$_ -is [System.Management.Automation.DebugRecord] })
`$results = @(`$all | Where-Object { `$_ -isnot [System.Management.Automation.DebugRecord] })
"debug records: `$(`$debug.Count)"
"retry in debug: `$(@(`$debug | Where-Object Message -match 'retrying').Count)"
"status: `$(`$results.Status)"
Get-BtceduEpisode demo -Debug 5>`$null | Out-Null
'done'
"@ 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Not -Match 'NonInteractive'
        [int](($out | Select-String 'debug records: (\d+)').Matches.Groups[1].Value) | Should -BeGreaterThan 1
        $out | Should -Contain 'retry in debug: 1'
        $out | Should -Contain 'status: Generated'
        $out[-1] | Should -Be 'done'
    }
}

Describe 'Every Get settles killed runs first' {
    # The workspace's policy (BtceduWorkspace.SettleInterruptedRuns), applied by every Get cmdlet: a report never
    # shows a dead run as running. A new Get cmdlet is covered by the first test, or fails it.
    BeforeDiscovery {
        $script:Invocations = @(
            @{ Name = 'Get-BtceduEpisode'; Call = { Get-BtceduEpisode } }
            @{ Name = 'Get-BtceduChapter'; Call = { Get-BtceduChapter demo } }
            @{ Name = 'Get-BtceduMediaAsset'; Call = { Get-BtceduMediaAsset } }
            @{ Name = 'Get-BtceduCostReport'; Call = { Get-BtceduCostReport } }
            @{ Name = 'Get-BtceduStale'; Call = { Get-BtceduStale demo } }
            @{ Name = 'Get-BtceduPipelinePlan'; Call = { Get-BtceduPipelinePlan demo } }
            @{ Name = 'Get-BtceduImageHistory'; Call = { Get-BtceduImageHistory demo } }
            @{ Name = 'Get-BtceduPromptVersion'; Call = { Get-BtceduPromptVersion } }
            @{ Name = 'Get-BtceduImageModel'; Call = { Get-BtceduImageModel } }
            @{ Name = 'Get-BtceduImageBatch'; Call = { Get-BtceduImageBatch } }
        )
    }

    It 'the cases cover every Get cmdlet of the module' {
        $cases = @($Invocations.Name | Sort-Object)
        @((Get-Command -Module Btcedu -Verb Get).Name | Sort-Object) | Should -Be $cases
    } -TestCases @{ Invocations = $Invocations }

    It '<Name> settles a killed run''s row as interrupted' -ForEach $Invocations {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        # A run killed before it recorded its end: its row says running, and nobody holds the episode's lock.
        Invoke-BtceduSql -Root $Root -Query "INSERT INTO pipeline_runs (episode_id, stage, status, started_at, estimated_cost_usd) VALUES ('demo', 'imagegen', 'running', '2026-12-01T10:00:00.000Z', 0.25)" | Out-Null

        & $Call | Out-Null

        $row = Invoke-BtceduSql -Root $Root -Query "SELECT status, estimated_cost_usd FROM pipeline_runs"
        $row.status | Should -Be 'interrupted'
        $row.estimated_cost_usd | Should -Be 0.25
    }
}
