#Requires -Version 7.4
<#
.SYNOPSIS
    Times the up-to-date re-run of the bench episode through the module, as an operator runs it.
.DESCRIPTION
    Run bench/Btcedu.Bench first (it leaves a generated 500-chapter episode in the temp folder). Reports a bare
    pwsh start, pwsh + Import-Module, and pwsh + Import-Module + Invoke-BtceduImageGen on the up-to-date
    episode, each the median of -Runs fresh processes; the differences are the module's own costs.
#>
param([int] $Runs = 5)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot -Parent
$root = Join-Path ([IO.Path]::GetTempPath()) 'btcedu-bench'
if (-not (Test-Path (Join-Path $root 'data/outputs/bench/images/manifest.json'))) { throw "Run: dotnet run -c Release --project bench/Btcedu.Bench" }
$pwsh = [Environment]::ProcessPath
$dll = Join-Path $PSHOME 'pwsh.dll'
$psd1 = Join-Path $repo 'Btcedu.psd1'

function Measure-Median([string] $Script) {
    $times = foreach ($i in 1..$Runs) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        & $pwsh $dll -NoProfile -NonInteractive -Command $Script | Out-Null
        if ($LASTEXITCODE) { throw "failed: $Script" }
        $sw.Elapsed.TotalMilliseconds
    }
    ($times | Sort-Object)[[int][math]::Floor($Runs / 2)]
}

$env:BTCEDU_ROOT = $root
$env:OPENAI_API_KEY = 'sk-bench-unused'          # no call is made: every chapter is up to date
$env:OPENAI_BASE_URL = 'http://127.0.0.1:9/v1'
$bare = Measure-Median 'exit 0'
$import = Measure-Median "Import-Module '$psd1'; exit 0"
$rerun = Measure-Median "Import-Module '$psd1'; `$r = Invoke-BtceduImageGen bench; if (@(`$r | Where Status -ne Unchanged).Count) { exit 1 }; exit 0"
'{0,-46} {1,8:0} ms' -f 'pwsh start', $bare
'{0,-46} {1,8:0} ms' -f 'Import-Module Btcedu (over a bare start)', ($import - $bare)
'{0,-46} {1,8:0} ms' -f 'up-to-date re-run of 500 chapters (over import)', ($rerun - $import)
