#Requires -Version 7.4
<#
.SYNOPSIS
    Brings chromium, builds, and runs every suite: xunit for Btcedu.Core and for the cmdlets hosted in-process by the
    PowerShell SDK (tests/Btcedu.PowerShell.Tests), beside Pester for the module as operators run it in real pwsh.
.DESCRIPTION
    Ends with one line "N passed, N failed" totalling both suites; exits non-zero when a suite fails or runs no test.
    Both suites run with tr-TR as the current culture: LANG/LC_ALL are set for the test processes (dotnet test, the
    Pester pwsh, and every pwsh a test starts inherits them), because Turkish casing and decimal commas are where
    culture bugs show. Each suite has a test that fails when the culture did not take.
#>
[CmdletBinding()]
param(
    [string] $Configuration = 'Release',
    # Pester files to run (default: every tests/*.Tests.ps1).
    [string[]] $PesterPath = @(Join-Path $PSScriptRoot '*.Tests.ps1'),
    # How many pwsh processes share the Pester files (2 suits this 2-core machine: Pester mostly waits).
    [ValidateRange(1, 8)][int] $PesterShards = 2
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot -Parent
$results = Join-Path $repo 'artifacts/test'
if (Test-Path $results) { Remove-Item $results -Recurse -Force }
New-Item -ItemType Directory -Path $results -Force | Out-Null

# What the tests need beyond the SDK: Debian's chromium for the gallery's browser test. Installed here when this runs
# as root on Debian (as CI and a fresh container do); anywhere else the run stops at once with what to install.
$chromium = '/usr/bin/chromium'
if (-not (Test-Path -LiteralPath $chromium)) {
    $root = $IsLinux -and (& id -u) -eq '0'
    $debian = $IsLinux -and (Test-Path -LiteralPath /etc/debian_version) -and (Get-Command apt-get -ErrorAction Ignore)
    if (-not ($root -and $debian)) {
        Write-Host "tests/run.ps1 needs $chromium (the gallery's browser test): install Debian's chromium (sudo apt-get update && sudo apt-get install -y chromium), then run again."
        exit 1
    }
    Write-Host "Installing Debian's chromium for the gallery's browser test (apt-get update && apt-get install -y chromium)..."
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq
    if ($LASTEXITCODE -eq 0) { & apt-get install -y -qq chromium }
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $chromium)) {
        $why = if ($LASTEXITCODE -ne 0) { "apt-get failed (exit $LASTEXITCODE)" } else { "apt-get left no $chromium" }
        Write-Host "tests/run.ps1 could not install chromium ($why): install Debian's chromium (apt-get install -y chromium), then run again."
        exit 1
    }
}

# Where the time goes, printed at the end (wall seconds per phase; they overlap from xunit on).
$clock = [Diagnostics.Stopwatch]::StartNew()
$times = [ordered]@{}
# How long a background process ran: from its exit time when the platform gives it, else until it was waited for.
$lasted = { param($job) try { ($job.Process.ExitTime - $job.Process.StartTime).TotalSeconds } catch { $clock.Elapsed.TotalSeconds - $job.Started } }
dotnet build (Join-Path $repo 'Btcedu.sln') -c $Configuration --nologo -v quiet
if ($LASTEXITCODE -ne 0) { throw "The build failed (exit $LASTEXITCODE)." }
$times['build'] = $clock.Elapsed.TotalSeconds

# The pinned pwsh for Pester and every pwsh it starts: on linux-x64 a copy of $PSHOME whose own assemblies are
# precompiled (ReadyToRun), made once per machine and kept in the user's cache (tests/PwshReadyToRun explains why: the
# .NET tool ships IL only, and JIT-compiling PowerShell was half of each of the suite's many process starts).
# Elsewhere, or if it cannot be made, $PSHOME as it is.
function Get-TestPwshHome {
    if (-not ($IsLinux -and [Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64')) { return $PSHOME }
    $cache = if ($env:XDG_CACHE_HOME) { $env:XDG_CACHE_HOME } else { Join-Path $HOME '.cache' }
    # Named by the version and by what the project precompiles, so that a change to either makes a new copy.
    $recipe = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes((Join-Path $repo 'tests/PwshReadyToRun/PwshReadyToRun.csproj')))).Substring(0, 8).ToLowerInvariant()
    $ready = Join-Path $cache "btcedu/pwsh-$($PSVersionTable.PSVersion)-readytorun-$recipe"
    if (Test-Path -LiteralPath (Join-Path $ready '.complete')) { return $ready }
    Write-Host "Precompiling PowerShell $($PSVersionTable.PSVersion) for the test processes, once per machine ($ready)..."
    $work = "$ready.$PID"
    Remove-Item -LiteralPath $work, "$work.images" -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory -Path (Split-Path $ready) -Force | Out-Null
    Copy-Item -LiteralPath $PSHOME -Destination $work -Recurse
    dotnet publish (Join-Path $repo 'tests/PwshReadyToRun') -c Release "-p:PwshHome=$PSHOME" -o "$work.images" --nologo -v quiet
    if ($LASTEXITCODE -ne 0) {
        Write-Host "Could not precompile PowerShell (exit $LASTEXITCODE): the tests run the IL-only pwsh, more slowly."
        Remove-Item -LiteralPath $work, "$work.images" -Recurse -Force -ErrorAction Ignore
        return $PSHOME
    }
    Get-ChildItem -LiteralPath "$work.images" -Filter *.dll | Where-Object Name -ne 'PwshReadyToRun.dll' | Copy-Item -Destination $work -Force
    Remove-Item -LiteralPath "$work.images" -Recurse -Force
    New-Item -ItemType File -Path (Join-Path $work '.complete') | Out-Null
    # Another run may have finished first: then its copy stands and this one is dropped.
    try { Move-Item -LiteralPath $work -Destination $ready -ErrorAction Stop } catch { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore }
    $ready
}
$testPwshHome = Get-TestPwshHome
$times['pwsh'] = $clock.Elapsed.TotalSeconds - $times['build']

# Found before the culture changes below, so that the CLI's answer is not localised.
$packages = ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
$pester = Join-Path $packages 'pester/6.2.0/tools/Pester.psd1'
if (-not (Test-Path $pester)) { throw "Pester 6.2.0 is not in the NuGet cache ($pester); run: dotnet restore" }

# The test processes read their culture from these at startup.
$savedLocale = @{ LANG = $env:LANG; LC_ALL = $env:LC_ALL; DOTNET_TieredPGO = $env:DOTNET_TieredPGO }
$env:LANG = 'tr_TR.UTF-8'
$env:LC_ALL = 'tr_TR.UTF-8'
# Dynamic PGO instruments methods to recompile them better later; the suite's hundreds of short-lived processes end
# before that pays, so the instrumenting only cost them (about a fifth of Pester's CPU, measured). A JIT policy:
# nothing the code does changes with it.
$env:DOTNET_TieredPGO = '0'
try {
    # --- xunit, beside Pester ------------------------------------------------------------------
    # Both projects start now and run while Pester does: Pester mostly waits on child processes and the loopback fake,
    # so the xunit runs fill the cores it leaves idle. Each writes its own log, shown once Pester is done.
    $xunit = foreach ($project in 'Btcedu.Core.Tests', 'Btcedu.PowerShell.Tests') {
        $trx = Join-Path $results "$project.trx"
        $log = Join-Path $results "$project.log"
        $arguments = "test `"$(Join-Path $repo "tests/$project")`" -c $Configuration --no-build --nologo --logger `"trx;LogFileName=$trx`" --logger `"console;verbosity=normal`""
        $process = Start-Process dotnet -ArgumentList $arguments -NoNewWindow -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
        $null = $process.Handle   # keeps the exit code readable after exit
        [pscustomobject]@{ Name = $project; Process = $process; Trx = $trx; Log = $log; Started = $clock.Elapsed.TotalSeconds }
    }

    # --- Pester --------------------------------------------------------------------------------
    # In child pwsh processes, so that their culture comes from LANG/LC_ALL at startup, as in an operator's session.
    # The files are dealt to $PesterShards processes by their usual cost (most of Pester's time is spent waiting on
    # child processes, kills and the loopback fake, not computing); the first shard's output is shown as it runs,
    # the others' once they end.
    $files = @($PesterPath | ForEach-Object { (Resolve-Path $_).Path } | Sort-Object -Unique)
    # Seconds per file on this 2-core machine (artifacts/test/pester-*.xml of a full run); a file not listed counts 10.
    $cost = @{
        'KillWindow.Tests.ps1' = 60; 'Soak.Tests.ps1' = 45; 'RunSafety.Tests.ps1' = 40; 'Corpus.Tests.ps1' = 30
        'ImageGen.Tests.ps1' = 20; 'Scheduled.Tests.ps1' = 15; 'Pipeline.Tests.ps1' = 12; 'Gallery.Tests.ps1' = 8; 'Models.Tests.ps1' = 8
    }
    $shards = @(1..([Math]::Max(1, [Math]::Min($PesterShards, $files.Count))) | ForEach-Object { [pscustomobject]@{ Files = [Collections.Generic.List[string]]::new(); Cost = 0 } })
    foreach ($f in $files | Sort-Object { $w = $cost[(Split-Path $_ -Leaf)]; if ($w) { $w } else { 10 } } -Descending) {
        $lightest = $shards | Sort-Object Cost | Select-Object -First 1
        $lightest.Files.Add($f)
        $lightest.Cost += $(if ($cost[(Split-Path $f -Leaf)]) { $cost[(Split-Path $f -Leaf)] } else { 10 })
    }
    $quote = { param($s) "'" + ($s -replace "'", "''") + "'" }
    $pwsh = [Environment]::ProcessPath
    $pwshDll = Join-Path $testPwshHome 'pwsh.dll'
    for ($i = 0; $i -lt $shards.Count; $i++) {
        $shard = $shards[$i]
        $shard | Add-Member Counts (Join-Path $results "pester-counts-$i.json")
        $shard | Add-Member Log (Join-Path $results "pester-$i.log")
        $child = @(
            "`$ErrorActionPreference = 'Stop'"
            "Import-Module $(& $quote $pester) -Force"
            "`$config = New-PesterConfiguration"
            "`$config.Run.Path = @($(($shard.Files | ForEach-Object { & $quote $_ }) -join ', '))"
            "`$config.Run.PassThru = `$true"
            "`$config.Run.Exit = `$false"
            "`$config.Output.Verbosity = 'Detailed'"
            "`$config.TestResult.Enabled = `$true"
            "`$config.TestResult.OutputPath = $(& $quote (Join-Path $results "pester-$i.xml"))"
            "`$run = Invoke-Pester -Configuration `$config"
            "@{ passed = [int]`$run.PassedCount; failed = [int]`$run.FailedCount + [int]`$run.FailedBlocksCount + [int]`$run.FailedContainersCount } | ConvertTo-Json | Set-Content -LiteralPath $(& $quote $shard.Counts)"
        ) -join "`n"
        $script = Join-Path $results "run-pester-$i.ps1"
        Set-Content -LiteralPath $script -Value $child -Encoding utf8
        $shard | Add-Member Script $script
    }
    foreach ($shard in $shards | Select-Object -Skip 1) {
        $process = Start-Process $pwsh -ArgumentList "`"$pwshDll`" -NoProfile -NonInteractive -File `"$($shard.Script)`"" -NoNewWindow -PassThru `
            -RedirectStandardOutput $shard.Log -RedirectStandardError "$($shard.Log).err"
        $null = $process.Handle
        $shard | Add-Member Process $process
        $shard | Add-Member Started $clock.Elapsed.TotalSeconds
    }
    $started = $clock.Elapsed.TotalSeconds
    & $pwsh $pwshDll -NoProfile -NonInteractive -File $shards[0].Script
    $shards[0] | Add-Member ExitCode $LASTEXITCODE
    $times["Pester 1 ($(($shards[0].Files | Split-Path -Leaf) -join ' '))"] = $clock.Elapsed.TotalSeconds - $started
    foreach ($shard in $shards | Select-Object -Skip 1) {
        $shard.Process.WaitForExit()
        $shard | Add-Member ExitCode $shard.Process.ExitCode
        $times["Pester $([array]::IndexOf($shards, $shard) + 1) ($(($shard.Files | Split-Path -Leaf) -join ' '))"] = & $lasted $shard
        Write-Host ''
        Write-Host "--- Pester: $(($shard.Files | Split-Path -Leaf) -join ', ') ---"
        Get-Content -LiteralPath $shard.Log, "$($shard.Log).err" -ErrorAction Ignore | ForEach-Object { Write-Host $_ }
    }
    $pesterPassed = 0; $pesterFailed = 0
    foreach ($shard in $shards) {
        $passed = 0; $failed = 0
        if (Test-Path $shard.Counts) {
            $c = Get-Content -Raw $shard.Counts | ConvertFrom-Json
            $passed = [int]$c.passed
            $failed = [int]$c.failed
        }
        if ($shard.ExitCode -ne 0 -and $failed -eq 0) { $failed = 1 }   # a crash counts as a failure
        $pesterPassed += $passed; $pesterFailed += $failed
    }

    $corePassed = 0; $coreFailed = 0
    foreach ($x in $xunit) {
        $x.Process.WaitForExit()
        $times["xunit $($x.Name)"] = & $lasted $x
        Write-Host ''
        Write-Host "--- xunit: $($x.Name) ---"
        Get-Content -LiteralPath $x.Log, "$($x.Log).err" -ErrorAction Ignore | ForEach-Object { Write-Host $_ }
        $passed = 0; $failed = 0
        if (Test-Path $x.Trx) {
            $run = ([xml](Get-Content -Raw $x.Trx)).TestRun
            $counters = $run.ResultSummary.Counters
            # The test run's own times: the process may have ended long before Pester did.
            try { $times["xunit $($x.Name)"] = ([DateTimeOffset]::Parse($run.Times.finish, [cultureinfo]::InvariantCulture) - [DateTimeOffset]::Parse($run.Times.start, [cultureinfo]::InvariantCulture)).TotalSeconds } catch { }
            $passed = [int]$counters.passed
            $failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        }
        if ($x.Process.ExitCode -ne 0 -and $failed -eq 0) { $failed = 1 }   # a crash counts as a failure
        if ($passed + $failed -eq 0) { Write-Host "xunit ran no test in $($x.Name)."; $failed = 1 }
        $corePassed += $passed; $coreFailed += $failed
    }
}
finally {
    $env:LANG = $savedLocale.LANG
    $env:LC_ALL = $savedLocale.LC_ALL
    $env:DOTNET_TieredPGO = $savedLocale.DOTNET_TieredPGO
}
# A suite that ran nothing has failed, whatever its exit code says.
if ($pesterPassed + $pesterFailed -eq 0) { Write-Host 'Pester ran no test.'; $pesterFailed = 1 }

Write-Host ''
$times['total'] = $clock.Elapsed.TotalSeconds
foreach ($t in $times.GetEnumerator()) { Write-Host ('{0,6:0} s  {1}' -f $t.Value, $t.Key) }
Write-Host "xunit:  $corePassed passed, $coreFailed failed"
Write-Host "Pester: $pesterPassed passed, $pesterFailed failed"
$passed = $corePassed + $pesterPassed
$failed = $coreFailed + $pesterFailed
Write-Host "$passed passed, $failed failed"
if ($failed -gt 0) { exit 1 }
exit 0
