#Requires -Version 7.4
<#
.SYNOPSIS
    A scheduled-task run: generate the images of every chapterized episode, within each episode's cap.
.DESCRIPTION
    Safe to run as often as you like: unchanged chapters cost nothing, a second copy of this script started
    while one is running gets EpisodeLocked for the episodes in progress, and a killed run resumes where it
    stopped. Exits 1 when any episode failed or hit its cost cap, so the scheduler can alert.
.EXAMPLE
    $env:BTCEDU_ROOT = 'D:\btcedu'; $env:OPENAI_API_KEY = (Get-Secret OpenAI -AsPlainText)
    pwsh -NoProfile -File examples/nightly-images.ps1
#>
[CmdletBinding()]
param([decimal] $MaxCostUsd)
Import-Module (Join-Path $PSScriptRoot '../Btcedu.psd1')

$episodes = Get-BtceduEpisode -Status CHAPTERIZED, IMAGES_GENERATED -PipelineVersion 2
$splat = @{}
if ($PSBoundParameters.ContainsKey('MaxCostUsd')) { $splat.MaxCostUsd = $MaxCostUsd }
$results = $episodes | Invoke-BtceduImageGen @splat -ErrorVariable problems -ErrorAction Continue
$results | Group-Object EpisodeId, Status -NoElement | Sort-Object Name | Format-Table -AutoSize
$failed = @($results | Where-Object Status -eq Failed)
if ($failed -or $problems) { exit 1 }
