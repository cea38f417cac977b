#Requires -Version 7.4
<#
.SYNOPSIS
    Reproduces the cap overrun the fault soak found (docs/RELIABILITY.md, "Found by the soak"; fixed on main in 9d1a53e): exits 1 while the bug is
    there, 0 once it is fixed.
.DESCRIPTION
    Three chapters, a cap of $0.13 (three reservations of ~$0.041 fit; $0.32 and ~$0.106 before issue 21), throttle 3, image_timeout_seconds 1. The fake
    answers the first image call after 4 s (past the timeout) and every other call at once. The timed-out attempt is
    counted at its estimate and retried within the same call, so that chapter costs ~$0.211 against its one
    reservation (~$0.041 now), and the run records more than the cap, with status success.
    Run after `dotnet build -c Release`: dotnet pwsh -NoProfile -File soak/Repro-CapTimeout.ps1
#>
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $repo 'tests/TestHelpers.psm1') -Force
Import-Module (Join-Path $repo 'Btcedu.psd1') -Force
$root = New-TestWorkspace
Set-Content (Join-Path $root 'btcedu.yaml') 'image_timeout_seconds: 1'
$null = Start-FakeOpenAI
$env:OPENAI_API_KEY = 'sk-repro-FAKE'
try {
    $doc = Get-Content -Raw (Join-Path $repo 'data/samples/demo/chapters.json') | ConvertFrom-Json
    $chapters = @($doc.chapters | Where-Object chapter_id -in 'ch04', 'ch05', 'ch07')
    for ($i = 0; $i -lt 3; $i++) { $chapters[$i].order = $i + 1 }
    $doc.chapters = $chapters; $doc.episode_id = 'cap'; $doc.total_chapters = 3
    $doc.estimated_duration_seconds = [int]($chapters.narration.estimated_duration_seconds | Measure-Object -Sum).Sum
    $doc | ConvertTo-Json -Depth 10 | Set-Content (Join-Path $root 'cap.json') -Encoding utf8NoBOM
    Import-BtceduChapter -Path (Join-Path $root 'cap.json') | Out-Null
    Set-FakeResponse -Image -DelayMs 4000     # the first call: past the 1 s timeout
    Set-FakeResponse -Image -Default          # the rest: at once
    Invoke-BtceduImageGen cap -MaxCostUsd 0.13 -ThrottleLimit 3 -ErrorAction SilentlyContinue 6>$null | Format-Table ChapterId, Status, CostUsd, Attempts | Out-Host
    $runs = @(Invoke-BtceduSql $root 'SELECT status, estimated_cost_usd FROM pipeline_runs')
    $spent = ($runs | Measure-Object estimated_cost_usd -Sum).Sum
    Write-Host "runs: $(($runs | ForEach-Object { "$($_.status) $($_.estimated_cost_usd)" }) -join ', '); image calls: $(@(Get-FakeRequest).Count)"
    if ($spent -gt 0.13) { Write-Host "BUG: spent $spent, past the cap of 0.13"; exit 1 }
    Write-Host "fixed: spent $spent, within the cap of 0.13"
    exit 0
}
finally {
    Stop-FakeOpenAI
    Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
}
