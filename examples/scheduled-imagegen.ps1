#Requires -Version 7.4
<#
.SYNOPSIS
    A scheduled-task run: generate the images of every chapterized episode (or the ones named), within each
    episode's cap, log to a dated file and exit with a code the scheduler can act on.
.DESCRIPTION
    Safe to run as often as you like: unchanged chapters cost nothing, a second copy started while one is running
    gets EpisodeLocked for the episodes in progress, and a killed run resumes where it stopped without paying again.
    Episodes run one at a time; an answer that would fail every episode the same way (the key rejected, the quota
    exhausted, the model unavailable, no key configured) stops the script at once instead of trying the rest.
    Nothing prompts: run it with pwsh -NonInteractive.

    Exit codes (the highest that applies):
      0  every episode is done: each chapter generated, unchanged or skipped
      1  an episode reached its cost cap (CostLimitExceeded): raise max_episode_cost_usd and run again
      2  a chapter failed (ImageGenerationFailed) or an episode could not run (EpisodeLocked, EpisodeNotFound, ...)
      3  the run stopped: the account or the configuration needs attention (ApiKeyRejected, QuotaExhausted,
         OpenAiApiKeyMissing, ImageModelUnavailable, LlmModelUnavailable, InvalidSetting, ModelRetired, or the
         module or the workspace could not be loaded)
.PARAMETER EpisodeId
    Exact episode ids to run. Default: every version 2 episode that is CHAPTERIZED, IMAGES_GENERATED or COST_LIMIT.
.PARAMETER Batch
    Batch mode (half price, results within 24 h): for each episode, first collect what its batches finished
    (Receive-BtceduImageBatch), then submit a batch for what is left (Invoke-BtceduImageGen -Batch). A batch still
    running is left for the next run. Same exit codes; BatchNotSupported (the model has no batch_prices) exits 3.
.PARAMETER MaxCostUsd
    The cap for this run, instead of max_episode_cost_usd.
.PARAMETER LogDirectory
    Where the dated log (imagegen-yyyy-MM-dd.log, appended to) goes. Default: logs/ in the workspace root
    ($env:BTCEDU_ROOT, else the current location).
.EXAMPLE
    $env:BTCEDU_ROOT = 'D:\btcedu'; $env:OPENAI_API_KEY = (Get-Secret OpenAI -AsPlainText)
    pwsh -NoProfile -NonInteractive -File examples/scheduled-imagegen.ps1
.EXAMPLE
    pwsh -NoProfile -NonInteractive -File examples/scheduled-imagegen.ps1 -EpisodeId ep12, ep13 -MaxCostUsd 2
.EXAMPLE
    pwsh -NoProfile -NonInteractive -File examples/scheduled-imagegen.ps1 -Batch
    Nightly at half price: collects yesterday's batches, submits today's.
#>
[CmdletBinding()]
param(
    [string[]] $EpisodeId,
    [switch] $Batch,
    [decimal] $MaxCostUsd,
    [string] $LogDirectory
)
$ErrorActionPreference = 'Stop'
$root = if ($env:BTCEDU_ROOT) { $env:BTCEDU_ROOT } else { (Get-Location).ProviderPath }
if (-not $LogDirectory) { $LogDirectory = Join-Path $root 'logs' }
New-Item -ItemType Directory -Force -Path $LogDirectory | Out-Null
$log = Join-Path $LogDirectory ('imagegen-{0:yyyy-MM-dd}.log' -f (Get-Date))

function Write-Log([string] $Line) {
    $stamped = '{0:yyyy-MM-ddTHH:mm:ss} {1}' -f (Get-Date), $Line
    Add-Content -LiteralPath $log -Value $stamped -Encoding utf8
    Write-Host $stamped
}

# ErrorIds after which every further episode would fail the same way: stop the script, exit 3.
$stopping = 'ApiKeyRejected', 'QuotaExhausted', 'OpenAiApiKeyMissing', 'ImageModelUnavailable', 'LlmModelUnavailable',
    'InvalidSetting', 'ModelRetired', 'ImageModelUnsupported', 'ImagePriceUnknown', 'LlmPriceUnknown', 'DatabaseUnavailable', 'BatchNotSupported'
$exitCode = 0

try {
    Import-Module (Join-Path $PSScriptRoot '../Btcedu.psd1')
    if (-not $EpisodeId) {
        $EpisodeId = @(Get-BtceduEpisode -Status CHAPTERIZED, IMAGES_GENERATED, COST_LIMIT -PipelineVersion 2 | ForEach-Object Id)
    }
    Write-Log "Run started in $root for $(@($EpisodeId).Count) episode(s): $($EpisodeId -join ', ')"
    $splat = @{}
    if ($PSBoundParameters.ContainsKey('MaxCostUsd')) { $splat.MaxCostUsd = $MaxCostUsd }

    foreach ($id in $EpisodeId) {
        $problems = $null
        if ($Batch) {
            # Collect what finished, then submit what is left: a chapter is never in two open batches.
            $results = @(Receive-BtceduImageBatch -EpisodeId $id -ErrorAction Continue -ErrorVariable problems -InformationVariable summary 6>$null)
            $submitted = @(Invoke-BtceduImageGen -EpisodeId $id -Batch @splat -ErrorAction Continue -ErrorVariable +problems 6>$null)
            foreach ($b in $submitted) {
                Write-Log ('{0}: submitted batch {1}, {2} request(s), ${3} reserved' -f $b.EpisodeId, $b.Id, $b.Requests, $b.ReservedUsd.ToString('0.000', [cultureinfo]::InvariantCulture))
            }
            foreach ($b in @(Get-BtceduImageBatch $id -Open -NoRefresh)) { Write-Log ('{0}: batch {1} {2} ({3}/{4} done)' -f $b.EpisodeId, $b.Id, $b.Status, $b.Completed, $b.Requests) }
        }
        else {
            $results = @(Invoke-BtceduImageGen -EpisodeId $id @splat -ErrorAction Continue -ErrorVariable problems -InformationVariable summary 6>$null)
        }
        foreach ($r in $results) {
            Write-Log ('{0}/{1} {2} ${3} {4}' -f $r.EpisodeId, $r.ChapterId, $r.Status, $r.CostUsd.ToString('0.000', [cultureinfo]::InvariantCulture), ($r.Error ?? $r.Reason))
        }
        foreach ($s in $summary) { Write-Log "$s" }
        foreach ($e in $problems) {
            $errorId = ($e.FullyQualifiedErrorId -split ',')[0]
            Write-Log "ERROR $errorId ($($e.CategoryInfo.Category)): $e"
            $code = if ($errorId -in $stopping) { 3 } elseif ($errorId -eq 'CostLimitExceeded') { 1 } else { 2 }
            $exitCode = [Math]::Max($exitCode, $code)
        }
        if ($exitCode -eq 3) {
            Write-Log 'Stopped: the account or the configuration needs attention; the other episodes were not tried.'
            break
        }
    }
}
catch {
    # Anything terminating: the module, the workspace or the store could not be used.
    Write-Log "ERROR $(($_.FullyQualifiedErrorId -split ',')[0]): $_"
    $exitCode = 3
}
Write-Log "Run ended, exit code $exitCode"
exit $exitCode
