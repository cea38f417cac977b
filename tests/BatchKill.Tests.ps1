$ErrorActionPreference = 'Stop'

# SIGKILL swept across batch mode (issue 23): each named moment of a batch's submit and collect
# (src/Btcedu.Core/InternalHooks.cs, KillPoints.Batch, test-only BTCEDU_TEST_KILL_AT=<point>:<episode>). A real child
# pwsh per case submits (or, for the collect cases, receives a batch this session submitted) and kills itself there;
# this session then goes on as the next scheduled run would (submit again, receive), and the case is checked against
# the fake's own record of files and batches: one batch and one upload per episode, one request per chapter, every
# image counted once.

BeforeDiscovery {
    $script:Cases = & (Join-Path $PSScriptRoot 'BatchKill.Cases.ps1')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Psd1 = Join-Path $Repo 'Btcedu.psd1'
    Import-Module $Psd1 -Force
    $script:Fake = Start-FakeOpenAI
    $env:OPENAI_API_KEY = 'sk-pester-BATCHKILL-5e1d'
    $script:Root = New-TestWorkspace
    $script:Cases = & (Join-Path $PSScriptRoot 'BatchKill.Cases.ps1')
    $script:Clock = [Diagnostics.Stopwatch]::StartNew()

    $child = Join-Path $Root 'child.ps1'
    Set-Content -LiteralPath $child -Value @'
param([string] $Psd1, [string] $Episode, [string] $Collect)
Import-Module $Psd1
if ($Collect -eq 'True') { Receive-BtceduImageBatch $Episode -Wait 6>$null | Out-Null } else { Invoke-BtceduImageGen $Episode -Batch | Out-Null }
'@
    foreach ($c in $Cases) {
        New-PromptedEpisode $c.Episode $TestDrive | Out-Null
        if ($c.Collect) { Invoke-BtceduImageGen $c.Episode -Batch | Out-Null }
    }

    # One child per case, all at once (each kills itself at its point; a hang guard of two minutes).
    $children = foreach ($c in $Cases) {
        $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        foreach ($a in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $child, $Psd1, $c.Episode, "$($c.Collect)") { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $psi.Environment['BTCEDU_TEST_KILL_AT'] = "$($c.Point):$($c.Episode)"
        [pscustomobject]@{ Episode = $c.Episode; Process = [Diagnostics.Process]::Start($psi) }
    }
    $script:ExitCodes = @{}
    foreach ($c in $children) {
        if (-not $c.Process.WaitForExit(120000)) { $c.Process.Kill(); throw "the child for $($c.Episode) did not end" }
        $ExitCodes[$c.Episode] = $c.Process.ExitCode
    }

    # The next scheduled run: submit what is left (finishing a killed submit), then receive.
    $script:Received = @{}
    $script:Again = @{}
    foreach ($c in $Cases) {
        $resubmitted = @(Invoke-BtceduImageGen $c.Episode -Batch)
        $Received[$c.Episode] = [pscustomobject]@{
            Resubmitted = $resubmitted
            Results     = @(Receive-BtceduImageBatch $c.Episode -Wait -ErrorVariable failed -ErrorAction SilentlyContinue 6>$null)
            Errors      = @($failed)
        }
        $before = Get-Snapshot $Root
        $Again[$c.Episode] = [pscustomobject]@{ Results = @(Receive-BtceduImageBatch $c.Episode -Wait 6>$null); Unchanged = ((Get-Snapshot $Root) -join "`n") -eq ($before -join "`n") }
    }
    $Clock.Stop()

    function Get-FakeList([string] $Path) {
        @((Invoke-RestMethod -Uri "$($Fake.BaseUrl.TrimEnd('/'))/$Path" -Headers @{ Authorization = "Bearer $env:OPENAI_API_KEY" }).data)
    }
}

AfterAll {
    if ($Clock) { Write-Host "    batch kill sweep: $($Cases.Count) kills and resumes in $([Math]::Round($Clock.Elapsed.TotalSeconds, 1)) s" }
    Stop-FakeOpenAI
    Remove-Item Env:OPENAI_API_KEY, Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'A batch submit or collect killed at <Point>' -ForEach $Cases {
    It 'makes one batch, and counts every image once' {
        $ExitCodes[$Episode] | Should -Not -Be 0 -Because 'the hook killed the child'
        $ids = @(Get-BtceduChapter $Episode).ChapterId

        # Zero duplicate batches: OpenAI (the fake) holds one batch and one upload for the episode.
        $batches = @(Get-FakeList 'batches?limit=100' | Where-Object { $_.metadata.btcedu_episode -eq $Episode })
        $batches.Count | Should -Be 1 -Because 'a killed submit is found by its metadata, not made again'
        @(Get-FakeList 'files?purpose=batch' | Where-Object { $_.filename -like "*-$Episode.jsonl" }).Count | Should -Be 1 -Because 'a killed upload is found by its name'
        $Received[$Episode].Resubmitted | Should -BeNullOrEmpty -Because 'every chapter was pending in the one batch'
        $lines = (Invoke-WebRequest -Uri "$($Fake.BaseUrl.TrimEnd('/'))/files/$($batches[0].input_file_id)/content" -Headers @{ Authorization = "Bearer $env:OPENAI_API_KEY" }).Content
        $customIds = @(([Text.Encoding]::UTF8.GetString($lines) -split "`n" | Where-Object { $_ } | ConvertFrom-Json).custom_id)
        $customIds | Sort-Object | Should -Be ($ids | Sort-Object) -Because 'each chapter is requested once'

        # Every chapter ends with its image, recorded once.
        $Received[$Episode].Errors | Should -BeNullOrEmpty
        foreach ($r in $Received[$Episode].Results) { "$($r.Status)" | Should -BeIn 'Generated', 'Unchanged' }
        $manifest = Get-Content -Raw (Join-Path $Root "data/outputs/$Episode/images/manifest.json") | ConvertFrom-Json
        $manifest.images.status | Should -Be (@('generated') * 4)
        @(Get-BtceduMediaAsset $Episode).ChapterId | Sort-Object | Should -Be ($ids | Sort-Object)
        Get-ChildItem (Join-Path $Root "data/outputs/$Episode/images") -Force | Where-Object Name -like '.*' | Should -BeNullOrEmpty -Because 'no staged or saved answer is left'
        Invoke-BtceduSql $Root "SELECT COUNT(*) AS n FROM image_deliveries WHERE episode_id = '$Episode'" | ForEach-Object n | Should -Be 0

        # Zero double-counted images: what the episode's rows hold is what its images cost, each at its settled price.
        $requests = @(Invoke-BtceduSql $Root "SELECT state, cost_usd FROM image_batch_requests WHERE episode_id = '$Episode'")
        $requests.state | Should -Be (@('settled') * 4)
        $paid = [decimal]($manifest.images.cost_usd | Measure-Object -Sum).Sum
        [decimal](($requests.cost_usd | Measure-Object -Sum).Sum) | Should -Be $paid
        $rows = @(Invoke-BtceduSql $Root "SELECT status, estimated_cost_usd FROM pipeline_runs WHERE episode_id = '$Episode'")
        [decimal](($rows.estimated_cost_usd | Measure-Object -Sum).Sum) | Should -Be $paid -Because 'each image is counted once, on the batch row'
        @(Get-BtceduImageBatch $Episode -NoRefresh | Where-Object { -not $_.Collected }) | Should -BeNullOrEmpty

        # Receiving again changes nothing.
        $Again[$Episode].Results | Should -BeNullOrEmpty
        $Again[$Episode].Unchanged | Should -BeTrue
    }
}
