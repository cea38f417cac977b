$ErrorActionPreference = 'Stop'

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
}

AfterAll {
    Remove-Item Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'Get-BtceduPipelinePlan' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
    }

    It 'lists the v2 stages in order with their states, and no gate between chapterize and imagegen' {
        $plan = @(Get-BtceduPipelinePlan demo)
        $plan[0].GetType().FullName | Should -Be 'Btcedu.Core.Pipeline.PipelineStagePlan'
        ($plan.Stage -join ',') | Should -Be 'correct,translate,adapt,chapterize,imagegen,tts,render,publish'
        ($plan.State -join ',') | Should -Be 'Done,Done,Done,Done,Pending,NotImplemented,NotImplemented,NotImplemented'
        ($plan | Where-Object Gate | ForEach-Object { "$($_.Stage):$($_.Gate)" }) -join ',' | Should -Be 'correct:1,adapt:2,render:3'
        ($plan | Where-Object Stage -eq imagegen).Upstreams | Should -Be 'chapterize'
        ($plan | Where-Object Stage -eq chapterize).Outputs | Should -Be 'chapters.json'
    }

    It 'shows a table with not implemented stages as such' {
        $text = Get-BtceduPipelinePlan demo | Out-String -Width 200
        $text | Should -Match 'imagegen\s+pending'
        $text | Should -Match 'tts\s+not implemented'
        $text | Should -Match 'gate 1 follows'
    }

    It 'plans v1 episodes with v1 stages only, and piped episodes by property name' {
        New-BtceduEpisode old1 'Eski' -PipelineVersion 1 | Out-Null
        $plans = @(Get-BtceduEpisode | Get-BtceduPipelinePlan)
        ($plans | Where-Object EpisodeId -eq old1).Stage -join ',' | Should -Be 'download,transcribe,chunk,generate,refine'
        @($plans | Where-Object EpisodeId -eq demo).Count | Should -Be 8
    }

    It 'reports an unknown episode as EpisodeNotFound and goes on' {
        $plans = @(Get-BtceduPipelinePlan nope, demo -ErrorVariable failed -ErrorAction SilentlyContinue)
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
        $failed[0].TargetObject | Should -Be 'nope'
        $plans.Count | Should -Be 8
    }
}
