$ErrorActionPreference = 'Stop'

# A short, seeded run of the fault soak (soak/Invoke-Soak.ps1, docs/RELIABILITY.md), so CI proves the soak runs
# and its checks hold: seeded faults, SIGKILLs, concurrent starts and restarts against the fake OpenAI, about 15 s of
# work (kills 1 to 3.5 s into a run; an episode whose chapter the filter rejects counts as done after 2 unkilled runs)
# plus the settling runs and the checks, with more hangs, 5xx, truncated PNGs and rejections than the full
# soak's defaults so that a short run meets them. With the fake's tiny PNGs: the soak proper uses realistic ones
# (issue 22), which on a shared 2-core machine make this smoke's time bound about the images, not the machinery.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Workspace = Join-Path ([IO.Path]::GetTempPath()) ('btcedu-soak-smoke-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $script:Output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File (Join-Path $Repo 'soak/Invoke-Soak.ps1') `
        -Seed 1515 -Minutes 0.25 -Episodes 2 -Chapters 5 -KillRate 0.5 -ConcurrentRate 0.25 -KillMinMs 1000 -KillMaxMs 3500 -MaxCleanRuns 2 -Faults '{"hang":0.05,"hangMs":4000,"serverError":0.1,"truncated":0.06,"contentPolicy":0.1}' -TimeoutSeconds 2 `
        -Workspace $Workspace -Keep -TinyImages 2>&1 | ForEach-Object { "$_" }
    $script:ExitCode = $LASTEXITCODE
    $clock.Stop()
    $script:Seconds = $clock.Elapsed.TotalSeconds
    $script:Summary = if (Test-Path (Join-Path $Workspace 'soak-summary.json')) { Get-Content -Raw (Join-Path $Workspace 'soak-summary.json') | ConvertFrom-Json }
}

AfterAll {
    Write-Host "    soak smoke: $([Math]::Round($Seconds, 1)) s"
    if ($ExitCode -eq 0) { Remove-Item -LiteralPath $Workspace -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The fault soak (smoke)' {
    It 'passes every check and exits 0' {
        $ExitCode | Should -Be 0 -Because ($Output -join "`n")
        @($Output | Where-Object { $_ -like 'FAIL *' }) | Should -BeNullOrEmpty
        @($Output | Where-Object { $_ -like 'PASS *' }).Count | Should -Be 8
    }

    It 'killed runs, injected faults and settled every episode' {
        $Summary.failures | Should -BeNullOrEmpty
        $Summary.summary.'kills survived' | Should -BeGreaterThan 0
        $Summary.summary.'runs started' | Should -BeGreaterThan $Summary.summary.'kills survived'
        $Summary.summary.'faults injected' | Should -Match '\d'
        $Summary.summary.'faults injected' | Should -Not -Match '^(\w+ 0(, )?)+$' -Because 'some fault was injected'
    }
}
