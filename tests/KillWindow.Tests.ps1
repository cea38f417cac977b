$ErrorActionPreference = 'Stop'

# SIGKILL swept across the delivery of the first images (issue 11 item 3). For each named moment of a delivery
# (src/Btcedu.Core/InternalHooks.cs, test-only BTCEDU_TEST_KILL_AT) and each of the first two chapters, a real
# child pwsh runs the stage and kills itself there; a fresh pwsh (one of two that share the resumes) then runs the
# episode again. Every case has its
# own episode, whose prompts carry its name, so the fake's recorded requests tell the cases apart, and the cases'
# processes run two at a time (BeforeAll) while each It checks one case.

BeforeDiscovery {
    $script:Cases = & (Join-Path $PSScriptRoot 'KillWindow.Cases.ps1')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Psd1 = Join-Path $Repo 'Btcedu.psd1'
    Import-Module $Psd1 -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = 'sk-pester-KILL-7c3a'
    $script:Root = New-TestWorkspace
    $script:Clock = [Diagnostics.Stopwatch]::new()
    # Chapters the call was in flight for may be paid again: nothing had been delivered (after-intent), or the
    # image existed only in the killed process's memory (after-answer).
    $script:InFlight = 'after-intent', 'after-answer'
    # The delivery was journaled before the kill: the next run adopts the image instead of paying for it.
    # after-answer-saved: the image was saved as delivered, before the local stage decoded it. after-record: the run's
    # copy of the manifest held it, but no manifest write had yet (writes are coalesced).
    $script:Adopted = 'after-answer-saved', 'after-delivery', 'after-png', 'after-asset-row', 'after-record'

    $script:ChildScript = Join-Path $Root 'child.ps1'
    Set-Content -LiteralPath $ChildScript -Value @'
param([string] $Psd1, [string] $Episode, [string] $Out)
Import-Module $Psd1
$results = @(Invoke-BtceduImageGen $Episode -ThrottleLimit 1 6>$null |
    Select-Object ChapterId, @{ n = 'Status'; e = { "$($_.Status)" } }, Reason, CostUsd)
ConvertTo-Json -InputObject $results -Depth 3 | Set-Content -LiteralPath $Out
'@

    function Invoke-Children([hashtable[]] $Runs) {
        # A fresh pwsh per run, two at a time; with KillAt, the test hook kills it there. Returns, by episode, each
        # one's exit code and results.
        $pending = [Collections.Generic.Queue[hashtable]]::new($Runs)
        $running = [Collections.Generic.List[pscustomobject]]::new()
        $done = @{}
        try {
            while ($pending.Count -or $running.Count) {
                while ($pending.Count -and $running.Count -lt 2) {
                    $r = $pending.Dequeue()
                    $out = Join-Path $TestDrive "$($r.Episode)-$([guid]::NewGuid().ToString('N')).json"
                    $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
                    foreach ($a in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $ChildScript, $Psd1, $r.Episode, $out) { $psi.ArgumentList.Add($a) }
                    $psi.UseShellExecute = $false
                    if ($r.KillAt) { $psi.Environment['BTCEDU_TEST_KILL_AT'] = $r.KillAt }
                    $running.Add([pscustomobject]@{ Episode = $r.Episode; Out = $out; Process = [Diagnostics.Process]::Start($psi); Deadline = [DateTime]::UtcNow.AddSeconds(120) })
                }
                foreach ($c in @($running | Where-Object { $_.Process.HasExited })) {
                    $c.Process.WaitForExit()
                    $done[$c.Episode] = [pscustomobject]@{
                        ExitCode = $c.Process.ExitCode
                        Results  = if (Test-Path $c.Out) { @(Get-Content -Raw $c.Out | ConvertFrom-Json) } else { @() }
                    }
                    $null = $running.Remove($c)
                }
                # A hang guard per child (a run takes seconds), not a bound on the whole sweep's speed.
                if (@($running | Where-Object { [DateTime]::UtcNow -gt $_.Deadline }).Count) { throw 'a child run did not end' }
                Start-Sleep -Milliseconds 20
            }
        }
        finally { foreach ($c in $running) { if (-not $c.Process.HasExited) { $c.Process.Kill() } } }
        $done
    }

    function Invoke-Resumes([string[]] $Episodes) {
        # The resumes need a process other than the killed one, not one each: two fresh pwsh share them (a pwsh start
        # and module import cost more than a resume). Returns, by episode, 0 or 1 (no error, or some) and the results.
        $resumeScript = Join-Path $TestDrive 'resume.ps1'
        Set-Content -LiteralPath $resumeScript -Value @'
param([string] $Psd1, [string] $Episodes, [string] $OutDir)
Import-Module $Psd1
foreach ($episode in $Episodes -split ',') {
    $results = @(Invoke-BtceduImageGen $episode -ThrottleLimit 1 -ErrorVariable failed -ErrorAction SilentlyContinue 6>$null |
        Select-Object ChapterId, @{ n = 'Status'; e = { "$($_.Status)" } }, Reason, CostUsd)
    $out = @{ ExitCode = $(if ($failed) { 1 } else { 0 }); Results = $results }
    ConvertTo-Json -InputObject $out -Depth 4 | Set-Content -LiteralPath (Join-Path $OutDir "$episode.json")
}
'@
        $outDir = Join-Path $TestDrive 'resumed'
        New-Item -ItemType Directory -Path $outDir -Force | Out-Null
        $groups = @(@($Episodes | Where-Object { [array]::IndexOf($Episodes, $_) % 2 -eq 0 }), @($Episodes | Where-Object { [array]::IndexOf($Episodes, $_) % 2 -eq 1 }))
        $children = foreach ($g in $groups | Where-Object Count) {
            $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
            foreach ($a in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $resumeScript, $Psd1, ($g -join ','), $outDir) { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false
            [Diagnostics.Process]::Start($psi)
        }
        foreach ($c in $children) { $c.WaitForExit(); $c.ExitCode | Should -Be 0 -Because 'the resumes ran to their end' }
        $done = @{}
        foreach ($e in $Episodes) {
            $file = Join-Path $outDir "$e.json"
            $done[$e] = if (Test-Path $file) {
                $r = Get-Content -Raw $file | ConvertFrom-Json
                [pscustomobject]@{ ExitCode = $r.ExitCode; Results = @($r.Results) }
            } else { [pscustomobject]@{ ExitCode = $null; Results = @() } }
        }
        $done
    }

    function Get-PngSize([string] $Path) {
        # Width and height from the IHDR chunk (big-endian at bytes 16 and 20).
        $b = [IO.File]::ReadAllBytes($Path)
        $b[0..7] | Should -Be @(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A) -Because "$Path is a PNG"
        $be = { param($i) ([int]$b[$i] -shl 24) -bor ([int]$b[$i + 1] -shl 16) -bor ([int]$b[$i + 2] -shl 8) -bor [int]$b[$i + 3] }
        '{0}x{1}' -f (& $be 16), (& $be 20)
    }

    # Every case's killed run, then every resume in a fresh process; the killed runs' rows are read in between.
    $script:Cases = & (Join-Path $PSScriptRoot 'KillWindow.Cases.ps1')
    $script:Victims = @{}
    foreach ($c in $Cases) { $Victims[$c.Episode] = @(New-PromptedEpisode $c.Episode $TestDrive)[$c.Index] }
    $Clock.Start()
    $script:Killed = Invoke-Children @($Cases | ForEach-Object { @{ Episode = $_.Episode; KillAt = "$($_.Point):$($Victims[$_.Episode])" } })
    $script:KilledRows = @{}
    $script:InFlightAtKill = @{}
    foreach ($c in $Cases) {
        $KilledRows[$c.Episode] = Invoke-BtceduSql $Root "SELECT status, estimated_cost_usd FROM pipeline_runs WHERE episode_id = '$($c.Episode)'"
        # The calls in flight at the kill: journaled intents with no saved answer. The API stage takes the next chapter
        # as soon as an answer is saved for the local stage, so a kill during local work can catch the next call in flight.
        $InFlightAtKill[$c.Episode] = @(Invoke-BtceduSql $Root "SELECT chapter_id FROM image_deliveries WHERE episode_id = '$($c.Episode)' AND answer_sha256 IS NULL AND png_sha256 IS NULL" | ForEach-Object chapter_id)
    }
    $script:Resumed = Invoke-Resumes @($Cases | ForEach-Object Episode)
    $Clock.Stop()
}

AfterAll {
    if ($Clock) { Write-Host "    kill-window sweep: $($Cases.Count) kills and resumes in $([Math]::Round($Clock.Elapsed.TotalSeconds, 1)) s" }
    Stop-FakeOpenAI
    Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'A run killed during the delivery of an image' {
    It 'killed <Point> of chapter <Index> pays no chapter twice on resume' -ForEach $Cases {
        $ids = @(Get-BtceduChapter $Episode).ChapterId
        $victim = $Victims[$Episode]
        $mine = { @(Get-FakeRequest | Where-Object { ($_.body | ConvertFrom-Json).prompt -like "*($Episode)" }) }

        $Killed[$Episode].ExitCode | Should -Not -Be 0 -Because 'the hook killed the run'
        $row = $KilledRows[$Episode]
        $row.status | Should -Be 'running' -Because 'a killed run records no end'
        $killedCost = $row.estimated_cost_usd

        $resumed = $Resumed[$Episode]
        $resumed.ExitCode | Should -Be 0
        # Zero re-paid images: one call per chapter, except a call in flight at the kill (at most one: ThrottleLimit 1).
        $inFlight = $InFlightAtKill[$Episode]
        $inFlight.Count | Should -BeLessOrEqual 1 -Because 'one API slot means at most one call in flight'
        if ($Point -in $InFlight) { $inFlight | Should -Be $victim -Because "the kill came $Point of $victim" }
        $calls = & $mine | Group-Object { ($_.body | ConvertFrom-Json).prompt } -NoElement
        $calls.Count | Should -Be 4 -Because 'every chapter was called for'
        $chapterOf = @{}; foreach ($ch in Get-BtceduChapter $Episode) { $chapterOf[$ch.ImagePrompt] = $ch.ChapterId }
        foreach ($c in $calls) {
            $chapter = $chapterOf[@($chapterOf.Keys | Where-Object { $c.Name -like "*$_" })[0]]
            $allowed = if ($chapter -in $inFlight) { 2 } else { 1 }
            $c.Count | Should -BeLessOrEqual $allowed -Because "$chapter is paid once ($Point of $victim; only a call in flight may be repeated)"
        }

        # Every chapter ends generated: finished by the killed run (Unchanged), adopted, or generated now.
        $byId = @{}; foreach ($r in $resumed.Results) { $byId[$r.ChapterId] = $r }
        $byId.Count | Should -Be 4
        foreach ($id in $ids) { $byId[$id].Status | Should -BeIn 'Generated', 'Unchanged' -Because "$id ends with an image" }
        $v = $byId[$victim]
        switch ($Point) {
            # The manifest writer, on its own thread, may have written the victim's entry just before the kill.
            { $_ -eq 'after-record' -and $v.Status -eq 'Unchanged' } { $v.CostUsd | Should -Be 0; break }
            { $_ -in $Adopted } { $v.Status | Should -Be 'Generated'; $v.Reason | Should -Match '^adopted'; $v.CostUsd | Should -Be 0 }
            'after-manifest' { $v.Status | Should -Be 'Unchanged' }
            default { $v.Status | Should -Be 'Generated'; $v.Reason | Should -Not -Match 'adopted' }
        }

        # A valid manifest and one media_assets row per chapter, each matching a 1920x1080 PNG.
        $manifest = Get-Content -Raw (Join-Path $Root "data/outputs/$Episode/images/manifest.json") | ConvertFrom-Json
        $manifest.episode_id | Should -Be $Episode
        $manifest.images.chapter_id | Should -Be $ids
        $assets = @(Get-BtceduMediaAsset $Episode)
        $assets.ChapterId | Sort-Object | Should -Be ($ids | Sort-Object)
        foreach ($e in $manifest.images) {
            $e.status | Should -Be 'generated'
            $e.chapter_hash | Should -BeLike 'sha256:*'
            $png = Join-Path $Root "data/outputs/$Episode/$($e.file_path)"
            Get-PngSize $png | Should -Be '1920x1080'
            ($assets | Where-Object ChapterId -eq $e.chapter_id).SizeBytes | Should -Be (Get-Item $png).Length
            ($assets | Where-Object ChapterId -eq $e.chapter_id).ChapterHash | Should -Be $e.chapter_hash
        }
        Get-ChildItem (Join-Path $Root "data/outputs/$Episode/images") -Force | Where-Object Name -like '.*' | Should -BeNullOrEmpty -Because 'no staged or temp file is left'
        Invoke-BtceduSql $Root "SELECT COUNT(*) AS n FROM image_deliveries WHERE episode_id = '$Episode'" | ForEach-Object n | Should -Be 0 -Because 'the journal is cleaned up'

        # The killed run's spending counts: kept on its row (now interrupted), every image paid for counted once,
        # and a call in flight at the kill counted at its reserved price.
        $runs = @(Invoke-BtceduSql $Root "SELECT status, estimated_cost_usd FROM pipeline_runs WHERE episode_id = '$Episode' ORDER BY id")
        # A resume with nothing left to do (the kill came in the killed run's last manifest write) records no run.
        $runs.status | Should -Be @(@('interrupted') + @(if ($resumed.Results.Status -contains 'Generated') { 'success' }))
        $runs[0].estimated_cost_usd | Should -Be $killedCost
        $deliveredToKilled = @($manifest.images | Where-Object { $byId[$_.chapter_id].Status -eq 'Unchanged' -or $byId[$_.chapter_id].Reason -match '^adopted' })
        $paidByKilled = [decimal]($deliveredToKilled.cost_usd | Measure-Object -Sum).Sum
        $paidByResume = [decimal](@($resumed.Results | Where-Object { $_.Status -eq 'Generated' }).CostUsd | Measure-Object -Sum).Sum
        [decimal]$runs[1].estimated_cost_usd | Should -Be $paidByResume
        # Beyond that, only a reservation: the next chapter's call reserves its price before it is sent, so a kill can
        # land after the reservation and before the fake sees the request. With ThrottleLimit 1 there is at most one,
        # at about one image's price (estimates are learned from what was billed).
        $reserved = [decimal]$killedCost - $paidByKilled
        $onePrice = [decimal](@($manifest.images.cost_usd) | Measure-Object -Maximum).Maximum * 1.05
        if ($inFlight.Count -gt 0) {
            $reserved | Should -BeGreaterThan 0 -Because 'the call in flight counts at its reserved price'
        }
        else {
            $reserved | Should -BeGreaterOrEqual 0 -Because 'every delivered image counts once'
        }
        $reserved | Should -BeLessOrEqual $onePrice -Because 'at most one call was reserved at the kill, and no delivered image counts twice'
    }
}
