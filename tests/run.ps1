#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the module and runs every suite: xunit for Btcedu.Core, then Pester for the module as operators use it.
.DESCRIPTION
    Ends with one line "N passed, N failed" totalling both suites; exits non-zero when a suite fails or runs no test.
#>
[CmdletBinding()]
param(
    [string] $Configuration = 'Release',
    # Pester files to run (default: every tests/*.Tests.ps1).
    [string[]] $PesterPath = @(Join-Path $PSScriptRoot '*.Tests.ps1')
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot -Parent
$results = Join-Path $repo 'artifacts/test'
if (Test-Path $results) { Remove-Item $results -Recurse -Force }
New-Item -ItemType Directory -Path $results -Force | Out-Null

dotnet build (Join-Path $repo 'Btcedu.sln') -c $Configuration --nologo -v quiet
if ($LASTEXITCODE -ne 0) { throw "The build failed (exit $LASTEXITCODE)." }

# --- xunit -------------------------------------------------------------------------------------
$trx = Join-Path $results 'core.trx'
dotnet test (Join-Path $repo 'tests/Btcedu.Core.Tests') -c $Configuration --no-build --nologo `
    --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal'
$coreExit = $LASTEXITCODE
$corePassed = 0; $coreFailed = 0
if (Test-Path $trx) {
    $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
    $corePassed = [int]$counters.passed
    $coreFailed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
}
if ($coreExit -ne 0 -and $coreFailed -eq 0) { $coreFailed = 1 }   # a crash counts as a failure

# --- Pester --------------------------------------------------------------------------------------
$packages = ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
$pester = Join-Path $packages 'pester/6.2.0/tools/Pester.psd1'
if (-not (Test-Path $pester)) { throw "Pester 6.2.0 is not in the NuGet cache ($pester); run: dotnet restore" }
Import-Module $pester -Force
$config = New-PesterConfiguration
$config.Run.Path = $PesterPath
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = Join-Path $results 'pester.xml'
$run = Invoke-Pester -Configuration $config
$pesterPassed = [int]$run.PassedCount
$pesterFailed = [int]$run.FailedCount + [int]$run.FailedBlocksCount + [int]$run.FailedContainersCount
# A suite that ran nothing has failed, whatever its exit code says.
if ($corePassed + $coreFailed -eq 0) { Write-Host 'xunit ran no test.'; $coreFailed = 1 }
if ($pesterPassed + $pesterFailed -eq 0) { Write-Host 'Pester ran no test.'; $pesterFailed = 1 }

Write-Host ''
Write-Host "xunit:  $corePassed passed, $coreFailed failed"
Write-Host "Pester: $pesterPassed passed, $pesterFailed failed"
$passed = $corePassed + $pesterPassed
$failed = $coreFailed + $pesterFailed
Write-Host "$passed passed, $failed failed"
if ($failed -gt 0) { exit 1 }
exit 0
