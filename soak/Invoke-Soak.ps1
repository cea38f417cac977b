#Requires -Version 7.4
<#
.SYNOPSIS
    The fault soak (issue 15 item 3): many image runs against a fake OpenAI that injects faults at seeded rates,
    killed with SIGKILL at random points, sometimes started twice on the same episode, restarted until done; then
    the invariants are checked from the files, the database and the fake's call log.
.DESCRIPTION
    Run after `dotnet build -c Release`, from anywhere:

        dotnet pwsh -NoProfile -File soak/Invoke-Soak.ps1 -Seed 42 -Minutes 5

    It builds nothing. It starts one fake (tests/Btcedu.FakeOpenAI) with seeded faults: 429 storms with Retry-After,
    content rejections (per prompt), 500/503, hangs beyond image_timeout_seconds, truncated PNGs that are billed, and
    insufficient_quota. It creates -Episodes episodes of -Chapters chapters (their own image prompts, so no LLM call;
    the first chapter a title card and one a talking head, which the planner skips), one in three with a cap tight
    enough to be reached. Then, until -Minutes have passed, it keeps -Parallel episodes in work: each work item is a
    child pwsh running Invoke-BtceduImageGen (now and then two at once on the same episode), SIGKILLed after a
    seeded random delay with probability -KillRate. An episode is done when an unkilled run ends with nothing left
    to do: every chapter Unchanged, Skipped or CostLimited, or Failed after -MaxCleanRuns unkilled runs (a prompt
    the content filter rejects fails every time). At -Minutes it starts no new work except unkilled runs that
    settle unfinished episodes (-SettleRuns each), then checks, prints PASS/FAIL lines and a summary, and exits 1
    when any check fails. Every child gets its own base URL (/r/<run>/v1), so the fake's log names the run of each
    call. docs/RELIABILITY.md describes the invariants.
#>
[CmdletBinding()]
param(
    [int] $Seed = 42,
    # Episodes created at the start; while time remains, another joins whenever at most -Parallel are unfinished.
    [ValidateRange(1, 50)][int] $Episodes = 4,
    [ValidateRange(4, 40)][int] $Chapters = 10,
    # Wall-clock bound for starting new work (the settle runs and the checks come after it).
    [double] $Minutes = 5,
    # Probability that a run is SIGKILLed, after a delay drawn between -KillMinMs and -KillMaxMs from its start.
    [double] $KillRate = 0.4,
    [int] $KillMinMs = 1500,
    [int] $KillMaxMs = 6000,
    # Probability that a work item starts two processes on the same episode at once.
    [double] $ConcurrentRate = 0.15,
    # Episodes in work at once.
    [ValidateRange(1, 8)][int] $Parallel = 2,
    [int] $MaxCleanRuns = 4,
    [int] $SettleRuns = 4,
    # image_timeout_seconds for the runs: the fake's hangs (hangMs) last longer.
    [ValidateRange(1, 300)][int] $TimeoutSeconds = 3,
    # Fault rates and timings for the fake as JSON, merged over the defaults (tests/Btcedu.Core.Tests/Fakes/FakeFaults.cs),
    # e.g. -Faults '{"hang":0,"storm":0.05}'.
    [string] $Faults = '{}',
    # The workspace (default: a new temporary folder, removed after a passing run unless -Keep).
    [string] $Workspace,
    [switch] $Keep,
    # The fake's tiny flat PNGs instead of realistic 2–3 MB ones: only for the CI smoke (tests/Soak.Tests.ps1), whose
    # time bound is about the soak's machinery, not the images' weight.
    [switch] $TinyImages
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot -Parent
$psd1 = Join-Path $repo 'Btcedu.psd1'
foreach ($built in (Join-Path $repo 'module/Btcedu.PowerShell.dll'), (Join-Path $repo 'tests/Btcedu.FakeOpenAI/bin/Release/net10.0/Btcedu.FakeOpenAI.dll')) {
    if (-not (Test-Path $built)) { throw "Build first (dotnet build -c Release): $built is missing." }
}
$clock = [Diagnostics.Stopwatch]::StartNew()
$random = [Random]::new($Seed)
$invariant = [Globalization.CultureInfo]::InvariantCulture

# Image pricing of the soak's model (gpt-image-2, models/models.yaml): what the fake bills per token.
$textInputUsd = 5 / 1e6
$imageOutputUsd = 30 / 1e6

$faultSettings = [ordered]@{
    seed = $Seed; storm = 0.02; stormMs = 1500; contentPolicy = 0.04; serverError = 0.05; hang = 0.02; hangMs = 6000
    truncated = 0.03; quota = 0.005; latencyMs = 300; jitterMs = 700
}
foreach ($p in ($Faults | ConvertFrom-Json -AsHashtable).GetEnumerator()) { $faultSettings[$p.Key] = $p.Value }

if (-not $Workspace) { $Workspace = Join-Path ([IO.Path]::GetTempPath()) ("btcedu-soak-$Seed-" + [guid]::NewGuid().ToString('N').Substring(0, 8)) }
New-Item -ItemType Directory -Path $Workspace -Force | Out-Null
$Workspace = (Resolve-Path $Workspace).Path
$env:BTCEDU_ROOT = $Workspace
$env:OPENAI_API_KEY = 'sk-soak-FAKE-0000'
@"
# written by soak/Invoke-Soak.ps1
image_timeout_seconds: $TimeoutSeconds
max_episode_cost_usd: 10
"@ | Set-Content -LiteralPath (Join-Path $Workspace 'btcedu.yaml') -Encoding utf8NoBOM

Add-Type -Path (Join-Path $PSScriptRoot 'SoakPng.cs')
Import-Module (Join-Path $repo 'tests/TestHelpers.psm1') -Force
Import-Module $psd1 -Force
# 2–3 MB photographic PNGs, as OpenAI's, with the image id in a centre block (unless -TinyImages)
$fake = Start-FakeOpenAI -Realistic:(-not $TinyImages)
Invoke-RestMethod -Method Post -Uri "$($fake.Root)_fake/images" -ContentType 'application/json' -Body (@{ faults = $faultSettings } | ConvertTo-Json -Compress) | Out-Null

# --- episodes ---------------------------------------------------------------------------------------------------------
$types = 'diagram', 'b_roll', 'screen_share'
$episodeState = [ordered]@{}
$docs = Join-Path $Workspace 'soak-input'
New-Item -ItemType Directory -Path $docs -Force | Out-Null
function New-SoakEpisode([int] $e) {
    $id = 'soak{0:000}' -f $e
    $talking = $random.Next(2, $Chapters + 1)
    $chapterList = for ($c = 1; $c -le $Chapters; $c++) {
        $type = if ($c -eq 1) { 'title_card' } elseif ($c -eq $talking) { 'talking_head' } else { $types[$random.Next($types.Count)] }
        $chapterId = 'ch{0:00}' -f $c
        [ordered]@{
            chapter_id = $chapterId; title = "Bölüm $c"; order = $c
            narration = [ordered]@{ text = "Anlatım ${c}: Bitcoin ağının düğümleri bloğu doğrular."; word_count = 7; estimated_duration_seconds = 30 }
            visual = [ordered]@{
                type = $type; description = "Chapter $c of $id"
                image_prompt = if ($type -in 'title_card', 'talking_head') { $null } else { "Flat vector illustration $($random.Next(1000000)) of linked blocks, orange accents, no text [soak:$id/$chapterId]" }
            }
            overlays = @(); transitions = [ordered]@{ in = 'fade'; out = 'cut' }; notes = $null
        }
    }
    $doc = [ordered]@{
        schema_version = '1.0'; episode_id = $id; title = "Soak $id"; total_chapters = $Chapters
        estimated_duration_seconds = 30 * $Chapters; chapters = @($chapterList)
    }
    $file = Join-Path $docs "$id.json"
    $doc | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $file -Encoding utf8NoBOM
    Import-BtceduChapter -Path $file | Out-Null
    $eligible = @($chapterList | Where-Object { $_.visual.type -notin 'title_card', 'talking_head' }).Count
    # One episode in three gets a cap that about 60% of its images (at their reserved ~$0.041, the token rule's) reach.
    $cap = if ($e % 3 -eq 0) { [Math]::Round(0.041 * [Math]::Max(1, [Math]::Floor($eligible * 0.6)), 2) } else { 10 }
    $script:episodeState[$id] = [pscustomobject]@{
        Id = $id; Cap = [decimal]$cap; Chapters = @($chapterList); Done = $false; Verdict = $null
        Runs = 0; CleanRuns = 0; Running = $false
    }
}

for ($e = 1; $e -le $Episodes; $e++) { New-SoakEpisode $e }

# --- the run loop -------------------------------------------------------------------------------------------------------
$childScript = Join-Path $Workspace 'soak-child.ps1'
Set-Content -LiteralPath $childScript -Encoding utf8NoBOM -Value @'
param([string] $Psd1, [string] $Episode, [string] $MaxCost, [string] $Out)
$report = [ordered]@{ results = @(); errors = @(); exception = $null; stack = $null }
try {
    Import-Module $Psd1 -ErrorAction Stop
    $cap = [decimal]::Parse($MaxCost, [Globalization.CultureInfo]::InvariantCulture)
    $report.results = @(Invoke-BtceduImageGen $Episode -MaxCostUsd $cap -ErrorVariable failed -ErrorAction SilentlyContinue 3>$null 6>$null |
        Select-Object ChapterId, @{ n = 'Status'; e = { "$($_.Status)" } }, Reason, Error, CostUsd)
    $report.errors = @($failed | ForEach-Object { $_.FullyQualifiedErrorId -replace ',.*$', '' })
}
catch { $report.exception = "$($_.FullyQualifiedErrorId): $_"; $report.stack = $_.Exception.ToString() }
ConvertTo-Json -InputObject $report -Depth 4 | Set-Content -LiteralPath "$Out.tmp"
Move-Item -LiteralPath "$Out.tmp" -Destination $Out
'@
$outDir = Join-Path $Workspace 'soak-runs'
New-Item -ItemType Directory -Path $outDir -Force | Out-Null

$runs = [Collections.Generic.List[object]]::new()      # every child started
$active = [Collections.Generic.List[object]]::new()    # work items in progress: one episode, one or two children
$kills = [Collections.Generic.List[object]]::new()
$concurrentStarts = 0
$runNo = 0

function Start-SoakRun($State, [int] $KillAfterMs) {
    $script:runNo++
    $tag = 'run{0:0000}' -f $script:runNo
    $out = Join-Path $outDir "$tag.json"
    $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    foreach ($a in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $childScript, $psd1, $State.Id, $State.Cap.ToString($invariant), $out) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.Environment['BTCEDU_ROOT'] = $Workspace
    $psi.Environment['OPENAI_BASE_URL'] = "$($fake.Root)r/$tag/v1"
    $psi.Environment['OPENAI_API_KEY'] = 'sk-soak-FAKE-0000'
    $run = [pscustomobject]@{
        Tag = $tag; Episode = $State.Id; Out = $out; Started = [DateTimeOffset]::UtcNow; Process = [Diagnostics.Process]::Start($psi)
        KillAt = if ($KillAfterMs -gt 0) { [DateTimeOffset]::UtcNow.AddMilliseconds($KillAfterMs) } else { $null }
        Killed = $false; KilledAt = $null; Kind = $null; Report = $null; ExitCode = $null
    }
    $State.Runs++
    $runs.Add($run)
    $run
}

function Complete-Run($Run) {
    $Run.Process.WaitForExit()
    $Run.ExitCode = $Run.Process.ExitCode
    if (Test-Path -LiteralPath $Run.Out) { $Run.Report = Get-Content -Raw -LiteralPath $Run.Out | ConvertFrom-Json }
    $said = "$($Run.Report.exception) $(@($Run.Report.errors) -join ' ')"
    $Run.Kind = if ($Run.Killed) { 'killed' }
        elseif (-not $Run.Report) { 'crashed' }
        elseif ($said -match 'EpisodeLocked') { 'locked' }
        elseif ($Run.Report.exception) { 'stopped' }
        else { 'completed' }
    $Run.Process.Dispose()
}

function Update-Episode($State, $Item) {
    # After a work item: is there anything left to do? Only an unkilled, completed run can say.
    foreach ($r in $Item.Runs | Where-Object Kind -eq 'completed') {
        $State.CleanRuns++
        $results = @($r.Report.results)
        $stopped = @($r.Report.errors | Where-Object { $_ -in 'QuotaExhausted', 'ApiKeyRejected', 'ImageModelUnavailable' }).Count -gt 0 -or
            @($results | Where-Object { $_.Reason -like 'not attempted*' }).Count -gt 0
        $statuses = @($results.Status)
        if ($stopped -or $results.Count -ne $State.Chapters.Count) { continue }
        if (@($statuses | Where-Object { $_ -notin 'Unchanged', 'Skipped', 'CostLimited', 'Failed' }).Count) { continue }
        $failed = @($results | Where-Object Status -eq 'Failed')
        $onlyRejected = @($failed | Where-Object { $_.Error -notmatch 'safety system|content_policy|ContentPolicy' }).Count -eq 0
        if ($failed.Count -eq 0 -or $onlyRejected -or $State.CleanRuns -ge $MaxCleanRuns) {
            $State.Done = $true
            $State.Verdict = ($statuses | Group-Object | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '
        }
    }
}

function Start-WorkItem($State, [bool] $MayKill, [bool] $MayPair) {
    $pair = $MayPair -and $random.NextDouble() -lt $ConcurrentRate
    $items = [Collections.Generic.List[object]]::new()
    foreach ($n in 1..($(if ($pair) { 2 } else { 1 }))) {
        $kill = if ($MayKill -and $random.NextDouble() -lt $KillRate) { $random.Next($KillMinMs, $KillMaxMs) } else { 0 }
        $items.Add((Start-SoakRun $State $kill))
    }
    if ($pair) { $script:concurrentStarts++ }
    $State.Running = $true
    $active.Add([pscustomobject]@{ State = $State; Runs = $items; Pair = $pair })
}

function Step-Active {
    foreach ($item in @($active)) {
        foreach ($r in $item.Runs) {
            if ($r.Kind -or $r.Killed) { continue }
            if ($r.KillAt -and [DateTimeOffset]::UtcNow -ge $r.KillAt -and -not $r.Process.HasExited) {
                $at = [DateTimeOffset]::UtcNow
                try { $r.Process.Kill() } catch [InvalidOperationException] { }   # SIGKILL on Unix
                $r.Process.WaitForExit()
                if ($r.Process.ExitCode -eq 137 -or $r.Process.ExitCode -eq -1 -or $r.Process.ExitCode -gt 128) {
                    $r.Killed = $true; $r.KilledAt = $at
                    $kills.Add([pscustomobject]@{ Tag = $r.Tag; Episode = $r.Episode; At = $at })
                }
            }
        }
        foreach ($r in $item.Runs) { if (-not $r.Kind -and $r.Process.HasExited) { Complete-Run $r } }
        if (@($item.Runs | Where-Object { -not $_.Kind }).Count -eq 0) {
            Update-Episode $item.State $item
            $item.State.Running = $false
            $null = $active.Remove($item)
        }
    }
}

$deadline = [DateTimeOffset]::UtcNow.AddMinutes($Minutes)
Write-Host ("soak: seed {0}, {1} episodes x {2} chapters, {3} min, kill rate {4}, workspace {5}" -f $Seed, $Episodes, $Chapters, $Minutes, $KillRate, $Workspace)
while ([DateTimeOffset]::UtcNow -lt $deadline) {
    # Many episodes: while there is time, a new one joins whenever fewer than -Parallel + 1 are unfinished.
    while (@($episodeState.Values | Where-Object { -not $_.Done }).Count -le $Parallel) { New-SoakEpisode ($episodeState.Count + 1) }
    $idle = @($episodeState.Values | Where-Object { -not $_.Done -and -not $_.Running })
    while ($active.Count -lt $Parallel -and $idle.Count) {
        $pick = $idle[$random.Next($idle.Count)]
        Start-WorkItem $pick $true $true
        $idle = @($episodeState.Values | Where-Object { -not $_.Done -and -not $_.Running })
    }
    Step-Active
    Start-Sleep -Milliseconds 25
}
$loopEnded = $clock.Elapsed
# Settle: unkilled single runs for whatever is not done yet (or still running when the time ran out).
while ($active.Count) { Step-Active; Start-Sleep -Milliseconds 25 }
foreach ($state in @($episodeState.Values | Where-Object { -not $_.Done })) {
    for ($i = 0; $i -lt $SettleRuns -and -not $state.Done; $i++) {
        Start-WorkItem $state $false $false
        while ($active.Count) { Step-Active; Start-Sleep -Milliseconds 25 }
    }
}

# --- checks -------------------------------------------------------------------------------------------------------------
Get-BtceduEpisode | Out-Null   # settles the rows of killed runs as interrupted
$calls = @(@(Invoke-RestMethod -Uri "$($fake.Root)_fake/calls") | ForEach-Object { $_ })
$injected = (Invoke-RestMethod -Uri "$($fake.Root)_fake/images").injected
# Kept in the workspace for a failed soak's post-mortem: the fake's log and every run's fate.
$calls | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath (Join-Path $Workspace 'soak-calls.json')
$runs | Select-Object Tag, Episode, Kind, ExitCode, Started, KilledAt, @{ n = 'Errors'; e = { "$($_.Report.exception) $(@($_.Report.errors) -join ' ')".Trim() } } |
    ConvertTo-Json -Depth 3 | Set-Content -LiteralPath (Join-Path $Workspace 'soak-runs.json')
$failures = [Collections.Generic.List[string]]::new()
$notes = [Collections.Generic.List[string]]::new()
function Test-Check([string] $Name, [string[]] $Problems, [string] $Detail) {
    if ($Problems.Count) {
        Write-Host "FAIL  $Name"
        foreach ($p in $Problems | Select-Object -First 20) { Write-Host "        $p" }
        if ($Problems.Count -gt 20) { Write-Host "        ... and $($Problems.Count - 20) more" }
        $failures.Add($Name)
    }
    else { Write-Host "PASS  $Name$(if ($Detail) { " ($Detail)" })" }
}
function Get-Sql([string] $Query) { @(Invoke-BtceduSql -Root $Workspace -Query $Query) }

$runByTag = @{}; foreach ($r in $runs) { $runByTag[$r.Tag] = $r }
$callKey = { param($c) if ($c.prompt -match '\[soak:([^/\]]+)/([^\]]+)\]') { "$($Matches[1])/$($Matches[2])" } }
$validCalls = @($calls | Where-Object { $_.status -eq 200 -and $null -ne $_.imageId })
$keptImage = @{}      # episode/chapter -> image id decoded from the kept PNG
$imageProblems = [Collections.Generic.List[string]]::new()
$recordProblems = [Collections.Generic.List[string]]::new()
$capProblems = [Collections.Generic.List[string]]::new()
$lockProblems = [Collections.Generic.List[string]]::new()
$spend = [ordered]@{}
$outcomes = @{}

# Chapters whose kept entry counts a timed-out attempt at its estimate (the client gave up on a call it may be billed for).
$timedOutCounted = @{}
foreach ($state in $episodeState.Values) {
    $ep = $state.Id
    $dir = Join-Path $Workspace "data/outputs/$ep"
    $imagesDir = Join-Path $dir 'images'
    $manifestPath = Join-Path $imagesDir 'manifest.json'
    $manifest = if (Test-Path $manifestPath) { Get-Content -Raw $manifestPath | ConvertFrom-Json } else { $null }
    $entries = @{}; if ($manifest) { foreach ($m in $manifest.images) { $entries[$m.chapter_id] = $m } }
    foreach ($m in $entries.Values) { if ($m.cost_estimated) { $timedOutCounted["$ep/$($m.chapter_id)"] = $true } }
    if (-not $manifest) { $imageProblems.Add("${ep}: no manifest") }
    elseif ($manifest.episode_id -ne $ep -or (@($manifest.images.chapter_id) -join ',') -ne (@($state.Chapters.chapter_id) -join ',')) {
        $recordProblems.Add("${ep}: the manifest's entries are not one per chapter in chapter order")
    }
    $assets = Get-Sql "SELECT chapter_id, file_path, size_bytes, metadata FROM media_assets WHERE episode_id = '$ep' AND asset_type = 'image'"
    foreach ($ch in $state.Chapters) {
        $cid = $ch.chapter_id
        $entry = $entries[$cid]
        $png = Join-Path $imagesDir "$cid.png"
        $rows = @($assets | Where-Object chapter_id -eq $cid)
        $status = if ($entry) { $entry.status } else { '(none)' }
        $outcomes[$status] = 1 + [int]$outcomes[$status]
        if ($ch.visual.type -in 'title_card', 'talking_head') {
            if ($status -ne 'skipped') { $imageProblems.Add("$ep/${cid}: a $($ch.visual.type) is '$status', not skipped") }
            # Its brand card: made locally, free, 1920x1080, and not a paid image (no row).
            if ($entry.generation_method -ne 'template') { $imageProblems.Add("$ep/${cid}: a $($ch.visual.type) has generation_method '$($entry.generation_method)', not template") }
            if (-not (Test-Path $png)) { $imageProblems.Add("$ep/${cid}: its brand card $png is missing"); continue }
            $card = [Btcedu.Soak.SoakPng]::Check($png)
            if (-not $card.Valid -or $card.Width -ne 1920 -or $card.Height -ne 1080) { $imageProblems.Add("$ep/${cid}: the brand card is not a whole 1920x1080 PNG") }
            if ([decimal]$entry.cost_usd -ne 0) { $recordProblems.Add("$ep/${cid}: a brand card cost $($entry.cost_usd)") }
            if ($rows.Count) { $recordProblems.Add("$ep/${cid}: a brand card has a media_assets row") }
            continue
        }
        switch ($status) {
            'generated' {
                if (-not (Test-Path $png)) { $imageProblems.Add("$ep/${cid}: generated but $png is missing"); continue }
                $check = [Btcedu.Soak.SoakPng]::Check($png)
                if (-not $check.Valid) { $imageProblems.Add("$ep/${cid}: $png does not decode: $($check.Error)"); continue }
                if ($check.Width -ne 1920 -or $check.Height -ne 1080) { $imageProblems.Add("$ep/${cid}: $($check.Width)x$($check.Height), not 1920x1080") }
                if (-not $check.CentreUniform) { $imageProblems.Add("$ep/${cid}: the image's centre is not the fake's one-colour id block") }
                $keptImage["$ep/$cid"] = $check.CenterRgb
                $history = Join-Path $imagesDir "history/$cid"
                if (Test-Path $history) { $imageProblems.Add("$ep/${cid}: an earlier image exists in history (the chapter was generated twice)") }
                if ($rows.Count -ne 1) { $recordProblems.Add("$ep/${cid}: $($rows.Count) media_assets rows for a generated chapter") }
                else {
                    $meta = $rows[0].metadata | ConvertFrom-Json
                    if ($rows[0].file_path -ne $entry.file_path) { $recordProblems.Add("$ep/${cid}: media_assets path '$($rows[0].file_path)' vs manifest '$($entry.file_path)'") }
                    if ([long]$rows[0].size_bytes -ne (Get-Item $png).Length) { $recordProblems.Add("$ep/${cid}: media_assets size $($rows[0].size_bytes) vs file $((Get-Item $png).Length)") }
                    if ($meta.chapter_hash -ne $entry.chapter_hash) { $recordProblems.Add("$ep/${cid}: media_assets hash differs from the manifest's") }
                    if ([decimal]$meta.cost_usd -ne [decimal]$entry.cost_usd) { $recordProblems.Add("$ep/${cid}: media_assets cost $($meta.cost_usd) vs manifest $($entry.cost_usd)") }
                }
                if ($entry.file_path -ne "images/$cid.png") { $recordProblems.Add("$ep/${cid}: manifest file_path '$($entry.file_path)'") }
            }
            { $_ -in 'failed', 'cost_limited' } {
                if ($rows.Count) { $recordProblems.Add("$ep/${cid}: $status, yet it has a media_assets row") }
                if (Test-Path $png) { $recordProblems.Add("$ep/${cid}: $status, yet $png exists") }
            }
            default { $imageProblems.Add("$ep/${cid}: neither an image nor a recorded failure (manifest status '$status')") }
        }
    }
    # Nothing else in images/: no stray PNG, staged or temp file.
    if (Test-Path $imagesDir) {
        foreach ($f in Get-ChildItem $imagesDir -File -Force) {
            if ($f.Name -eq 'manifest.json') { continue }
            $cid = [IO.Path]::GetFileNameWithoutExtension($f.Name)
            $ours = $entries[$cid] -and ($entries[$cid].status -eq 'generated' -or $entries[$cid].generation_method -eq 'template')
            if ($f.Extension -ne '.png' -or -not $ours) { $recordProblems.Add("${ep}: unexpected file images/$($f.Name)") }
        }
    }
    $journal = Get-Sql "SELECT COUNT(*) AS n FROM image_deliveries WHERE episode_id = '$ep'"
    if ($journal[0].n -ne 0) { $recordProblems.Add("${ep}: $($journal[0].n) delivery journal rows left") }
    $runRows = Get-Sql "SELECT id, status, estimated_cost_usd FROM pipeline_runs WHERE episode_id = '$ep'"
    $running = @($runRows | Where-Object status -eq 'running')
    if ($running.Count) { $lockProblems.Add("${ep}: $($running.Count) pipeline_runs rows still 'running' after a Get") }
    $total = [decimal](($runRows | Measure-Object estimated_cost_usd -Sum).Sum ?? 0)
    $kept = [decimal]((@($entries.Values | Where-Object status -eq 'generated') | Measure-Object cost_usd -Sum).Sum ?? 0)
    $billed = [decimal]0
    foreach ($c in $calls | Where-Object { $_.status -eq 200 -and $_.delivered -and (& $callKey $_) -like "$ep/*" }) {
        $billed += [decimal]($c.inputTokens * $textInputUsd + $c.outputTokens * $imageOutputUsd)
    }
    $spend[$ep] = [pscustomobject]@{ Episode = $ep; Cap = $state.Cap; Recorded = [Math]::Round($total, 4); Billed = [Math]::Round($billed, 4); Kept = [Math]::Round($kept, 4); Runs = $runRows.Count; Verdict = $state.Verdict }
    if ([Math]::Round($total, 9) -gt $state.Cap) {
        # Name the chapters that cost more than one reservation (~$0.041): what pushed the total over.
        $dear = @($entries.Values | Where-Object { [decimal]$_.cost_usd -gt 0.042 } | ForEach-Object { "$($_.chapter_id) $($_.status) `$$($_.cost_usd)$(if ($_.cost_estimated) { ' (estimated: a timed-out attempt)' })" })
        $capProblems.Add("${ep}: pipeline_runs total $total passed the cap $($state.Cap); runs $((@($runRows | ForEach-Object { "$($_.id) $($_.status) $($_.estimated_cost_usd)" })) -join ', '); dearer than one reservation: $(if ($dear) { $dear -join ', ' } else { 'none' })")
    }
    if ($total + 0.000001 -lt $kept) { $recordProblems.Add("${ep}: pipeline_runs total $total is less than the kept images' cost $kept") }
    if ($total + 0.000001 -lt $billed) { $recordProblems.Add("${ep}: pipeline_runs total $total is less than what the fake billed ($billed)") }
    $statusRow = Get-Sql "SELECT status FROM episodes WHERE id = '$ep'"
    $expected = if ($entries.Values | Where-Object status -eq 'cost_limited') { 'COST_LIMIT' } else { $null }
    if ($expected -and $statusRow[0].status -ne $expected) { $recordProblems.Add("${ep}: episode status $($statusRow[0].status) although chapters are cost_limited") }

    # The lock: nobody holds it, and no holder file is left.
    $lockPath = Join-Path $dir '.imagegen.lock'
    if (Test-Path $lockPath) {
        try { $fs = [IO.FileStream]::new($lockPath, 'Open', 'ReadWrite', 'None'); $fs.Dispose() }
        catch { $lockProblems.Add("${ep}: the lock is held: $($_.Exception.Message)") }
    }
    if (Test-Path "$lockPath.holder") { $lockProblems.Add("${ep}: $lockPath.holder is left") }
}

# Paid once: every valid image the fake delivered beyond the kept one came from a killed run, before its kill.
$payProblems = [Collections.Generic.List[string]]::new()
$repeats = [Collections.Generic.List[object]]::new()
foreach ($group in $validCalls | Group-Object { & $callKey $_ }) {
    $key = $group.Name
    $kept = $keptImage[$key]
    if ($null -ne $kept -and -not ($group.Group | Where-Object imageId -eq $kept)) { $payProblems.Add("${key}: the kept image (id $kept) is not one the fake delivered for it") }
    foreach ($c in $group.Group | Where-Object { $_.imageId -ne $kept }) {
        $run = $runByTag[$c.tag]
        if (-not $c.delivered) { continue }    # written to nobody: the client had gone (a kill) before the answer
        # The client's attempt timeout can end a call while the server is still writing its answer (on a loaded
        # machine a normal answer can take as long as the timeout): the fake logs it delivered, the client never read
        # it. The run counts that attempt at its estimate (cost_estimated), so it is paid for and counted, not lost.
        if ($run -and -not $run.Killed -and $timedOutCounted[$key]) { continue }
        # The same holds when that run called for the chapter again afterwards, whatever became of the chapter later:
        # the API stage calls again only after an attempt ended without an answer it read (a timeout, 5xx or 429), so
        # this answer was never read, and the timed-out attempt was counted at its estimate on that run.
        if ($run -and -not $run.Killed -and @($calls | Where-Object { $_.tag -eq $c.tag -and $_.seq -gt $c.seq -and (& $callKey $_) -eq $key }).Count) { continue }
        if (-not $run -or -not $run.Killed) {
            $payProblems.Add("${key}: image $($c.imageId) delivered to $($c.tag) ($(if ($run) { $run.Kind } else { 'unknown run' })) was not kept: paid twice")
            continue
        }
        if ([DateTimeOffset]$c.receivedAt -gt $run.KilledAt) { $payProblems.Add("${key}: image $($c.imageId) was requested after $($c.tag) was killed") }
        $lag = ($run.KilledAt - [DateTimeOffset]$c.answeredAt).TotalMilliseconds
        $repeats.Add([pscustomobject]@{ Key = $key; Tag = $c.tag; ImageId = $c.imageId; AnsweredBeforeKillMs = [Math]::Round($lag) })
    }
}
foreach ($key in $keptImage.Keys) { if (-not ($validCalls | Where-Object { (& $callKey $_) -eq $key })) { $payProblems.Add("${key}: kept an image no call delivered") } }

# In flight at each kill: calls of the killed run received before the kill and not answered by then, plus the
# images it was answered but had not recorded (they are the repeats' candidates).
$inFlight = foreach ($k in $kills) {
    $mine = @($calls | Where-Object tag -eq $k.Tag)
    $open = @($mine | Where-Object { [DateTimeOffset]$_.receivedAt -le $k.At -and ([DateTimeOffset]$_.answeredAt -ge $k.At -or -not $_.delivered) }).Count
    $lost = @($repeats | Where-Object { $_.Tag -eq $k.Tag -and $_.AnsweredBeforeKillMs -gt 0 }).Count
    [pscustomobject]@{ Tag = $k.Tag; Episode = $k.Episode; Calls = $mine.Count; Unanswered = $open; AnsweredNotRecorded = $lost; InFlight = $open + $lost }
}
foreach ($group in $repeats | Group-Object Tag) {
    $k = $inFlight | Where-Object Tag -eq $group.Name
    if ($group.Count -gt $k.InFlight) { $payProblems.Add("$($group.Name): $($group.Count) repeats but $($k.InFlight) calls in flight at its kill") }
}

# One run at a time per episode: the calls of two runs of an episode never interleave.
$exclusion = [Collections.Generic.List[string]]::new()
foreach ($epGroup in $calls | Where-Object tag | Group-Object { $runByTag[$_.tag].Episode }) {
    $spans = foreach ($g in $epGroup.Group | Group-Object tag) {
        $t = @($g.Group | ForEach-Object { [DateTimeOffset]$_.receivedAt } | Sort-Object)
        [pscustomobject]@{ Tag = $g.Name; From = $t[0]; To = $t[-1] }
    }
    $spans = @($spans | Sort-Object From)
    for ($i = 1; $i -lt $spans.Count; $i++) {
        if ($spans[$i].From -lt $spans[$i - 1].To) { $exclusion.Add("$($epGroup.Name): $($spans[$i - 1].Tag) and $($spans[$i].Tag) made calls at the same time") }
    }
}
$lockedRuns = @($runs | Where-Object Kind -eq 'locked')
foreach ($r in $lockedRuns) { if ($calls | Where-Object tag -eq $r.Tag) { $exclusion.Add("$($r.Tag) was refused EpisodeLocked yet made calls") } }

$crashes = @($runs | Where-Object { $_.Kind -in 'crashed', 'stopped' -and -not ($_.Kind -eq 'stopped' -and "$($_.Report.exception)" -match 'QuotaExhausted') })
$unfinished = @($episodeState.Values | Where-Object { -not $_.Done })

Write-Host ''
Test-Check 'every eligible chapter has exactly one valid 1920x1080 PNG (fully decoded) or a recorded failure' $imageProblems
Test-Check 'no finished image was paid for twice (repeats only from calls in flight at a kill)' $payProblems "$($repeats.Count) repeats"
Test-Check 'manifest, media_assets, pipeline_runs, the journal and the files agree' $recordProblems
Test-Check 'spend never passed the cap (sum of pipeline_runs per episode)' $capProblems
Test-Check 'no lock held, no holder file, no run left running' $lockProblems
Test-Check 'one run per episode at a time (calls of two runs never interleave; refused runs made none)' $exclusion
Test-Check 'every child ended normally, was refused EpisodeLocked, or was killed by the soak' @($crashes | ForEach-Object { "$($_.Tag) ($($_.Episode)) exit $($_.ExitCode): $($_.Report.exception)" })
Test-Check 'every episode was settled by an unkilled run with nothing left to do' @($unfinished | ForEach-Object { "$($_.Id) not settled after $($_.Runs) runs" })

$maxInFlight = ($inFlight | Measure-Object InFlight -Maximum).Maximum
Write-Host ''
Write-Host 'summary'
$summary = [ordered]@{
    seed                      = $Seed
    'episodes x chapters'     = "$($episodeState.Count) x $Chapters (caps: $((@($episodeState.Values.Cap) | Group-Object { $_.ToString($invariant) } | ForEach-Object { "$($_.Count) at `$$($_.Name)" }) -join ', '))"
    'runs started'            = $runs.Count
    'kills survived'          = $kills.Count
    'concurrent starts'       = "$concurrentStarts ($($lockedRuns.Count) refused EpisodeLocked)"
    'runs by end'             = (($runs | Group-Object Kind | Sort-Object Name | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', ')
    'image calls'             = "$($calls.Count) ($($validCalls.Count) valid images, $(@($validCalls | Where-Object delivered).Count) delivered)"
    'faults injected'         = (($injected.PSObject.Properties | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', ')
    'repeats'                 = "$($repeats.Count) (in flight at kills: $([int]($inFlight | Measure-Object InFlight -Sum).Sum) in all, at most $([int]$maxInFlight) at one kill)"
    'chapters'                = (($outcomes.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Value) $($_.Name)" }) -join ', ')
    'wall time'               = '{0:0} s (work {1:0} s, settle and checks {2:0} s)' -f $clock.Elapsed.TotalSeconds, $loopEnded.TotalSeconds, ($clock.Elapsed - $loopEnded).TotalSeconds
}
foreach ($k in $summary.Keys) { Write-Host ('  {0,-24} {1}' -f $k, $summary[$k]) }
Write-Host ''
$spend.Values | Format-Table Episode, Cap, Recorded, Billed, Kept, Runs, Verdict -AutoSize | Out-String -Width 160 | Write-Host
if ($repeats.Count) { $repeats | Format-Table -AutoSize | Out-String -Width 160 | Write-Host }

Stop-FakeOpenAI
Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
$summaryFile = Join-Path $Workspace 'soak-summary.json'
[ordered]@{ summary = $summary; failures = @($failures); spend = @($spend.Values); repeats = @($repeats); inFlight = @($inFlight) } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $summaryFile
if ($failures.Count) {
    Write-Host "soak FAILED ($($failures.Count) checks); the workspace is kept: $Workspace"
    exit 1
}
Write-Host "soak passed: $($summary['runs started']) runs, $($kills.Count) kills, $($calls.Count) calls, $($repeats.Count) repeats"
if (-not $Keep) { Remove-Item -LiteralPath $Workspace -Recurse -Force -ErrorAction SilentlyContinue }
exit 0
