$ErrorActionPreference = 'Stop'

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = 'sk-pester-PIPELINE-1'

    function Add-Output([string] $Relative) {
        $path = Join-Path $Root "data/outputs/demo/$Relative"
        New-Item -ItemType Directory -Force (Split-Path $path) | Out-Null
        Set-Content -LiteralPath $path 'x'
        $path
    }
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:BTCEDU_ROOT, Env:OPENAI_API_KEY -ErrorAction SilentlyContinue
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

Describe 'Stale markers' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        Invoke-BtceduImageGen demo | Out-Null
        $script:Render = Add-Output 'render/draft.mp4'
        'correct/a.txt', 'translate/b.txt', 'adapt/c.md', 'tts/ch02.mp3' | ForEach-Object { Add-Output $_ | Out-Null }
    }

    It 'marks the full chain downstream of correct, in order, and sends the episode back' {
        $markers = @(Set-BtceduStale demo -Stage correct -Reason 'transcript fixed')
        $markers[0].GetType().FullName | Should -Be 'Btcedu.Core.Pipeline.StaleMarkerInfo'
        ($markers.Stage | Select-Object -Unique) -join ',' | Should -Be 'translate,adapt,chapterize,imagegen,tts,render'
        $markers | ForEach-Object { $_.InvalidatedBy | Should -Be 'correct'; Test-Path $_.Path | Should -BeTrue }
        (Get-Content -Raw "$Render.stale" | ConvertFrom-Json).reason | Should -Be 'transcript fixed'
        Test-Path $Render | Should -BeTrue
        (Get-BtceduEpisode demo).Status | Should -Be 'CORRECTED'
        $rows = @(Invoke-BtceduSql -Root $Root -Query "SELECT from_status, to_status FROM episode_status_changes")
        "$($rows[0].from_status)>$($rows[0].to_status)" | Should -Be 'IMAGES_GENERATED>CORRECTED'
    }

    It 'writes nothing under -WhatIf' {
        $snapshot = Get-Snapshot $Root
        Set-BtceduStale demo -Stage chapterize -WhatIf | Should -BeNullOrEmpty
        Clear-BtceduStale demo -WhatIf
        Get-Snapshot $Root | Should -Be $snapshot
        (Get-BtceduEpisode demo).Status | Should -Be 'IMAGES_GENERATED'
    }

    It 'lists markers, and a re-run after chapterize pays nothing, clears the image markers and leaves render stale' {
        $before = @(Get-FakeRequest).Count
        Set-BtceduStale demo -Stage chapterize | Out-Null
        (Get-BtceduPipelinePlan demo | Where-Object Stage -eq imagegen).State | Should -Be 'Stale'
        @(Get-BtceduStale demo -Stage imagegen).Count | Should -BeGreaterThan 1
        $results = Invoke-BtceduImageGen demo
        @($results | Where-Object Status -eq Generated).Count | Should -Be 0
        @(Get-FakeRequest).Count | Should -Be $before
        @(Get-BtceduStale demo -Stage imagegen) | Should -BeNullOrEmpty
        @(Get-BtceduStale demo -Stage render).Output | Should -Be 'render/draft.mp4'
        (Get-BtceduEpisode demo).Status | Should -Be 'IMAGES_GENERATED'
    }

    It 'clears the markers of one stage only' {
        Set-BtceduStale demo -Stage chapterize | Out-Null
        $removed = @(Get-BtceduStale demo -Stage render | Clear-BtceduStale -PassThru -Confirm:$false)
        $removed.Output | Should -Be 'render/draft.mp4'
        Test-Path "$Render.stale" | Should -BeFalse
        Test-Path $Render | Should -BeTrue
        @(Get-BtceduStale demo -Stage imagegen).Count | Should -BeGreaterThan 0
    }

    It 'reports a malformed marker, counts it stale, and the image run regenerates that chapter without crashing' {
        $image = Join-Path $Root 'data/outputs/demo/images/ch02.png'
        Set-Content -LiteralPath "$image.stale" '{ broken'
        $marker = Get-BtceduStale demo -WarningVariable warned -WarningAction SilentlyContinue
        $marker.Readable | Should -BeFalse
        $marker.Output | Should -Be 'images/ch02.png'
        "$warned" | Should -Match 'cannot be read'
        (Get-BtceduPipelinePlan demo | Where-Object Stage -eq imagegen).State | Should -Be 'Stale'
        $results = Invoke-BtceduImageGen demo
        ($results | Where-Object ChapterId -eq ch02).Status | Should -Be 'Generated'
        Test-Path "$image.stale" | Should -BeFalse
    }

    It 'refuses to mark or clear while an image run holds the episode, with EpisodeLocked' {
        $lock = [IO.File]::Open((Join-Path $Root 'data/outputs/demo/.imagegen.lock'), 'OpenOrCreate', 'ReadWrite', 'None')
        try {
            Set-BtceduStale demo -Stage chapterize -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failed[0].FullyQualifiedErrorId | Should -BeLike 'EpisodeLocked,*'
            $failed[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $failed[0].TargetObject | Should -Be 'demo'
            Set-Content -LiteralPath "$Render.stale" '{}'
            Clear-BtceduStale demo -ErrorVariable failed2 -ErrorAction SilentlyContinue
            $failed2[0].FullyQualifiedErrorId | Should -BeLike 'EpisodeLocked,*'
            Test-Path "$Render.stale" | Should -BeTrue
        }
        finally { $lock.Dispose() }
        (Get-BtceduEpisode demo).Status | Should -Be 'IMAGES_GENERATED'
    }

    It 'refuses v1 episodes' {
        New-BtceduEpisode old1 'Eski' -PipelineVersion 1 | Out-Null
        Set-BtceduStale old1 -Stage download -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'EpisodeNotV2,*'
    }
}

Describe 'A refused image run' {
    # Every precondition is checked before anything is written: the workspace and the database stay byte-identical.
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        New-BtceduEpisode -EpisodeId old1 -Title 'Eski' -PipelineVersion 1 | Out-Null
        New-BtceduEpisode -EpisodeId bare -Title 'Yeni' | Out-Null
        $script:Before = @(Get-FakeRequest).Count
    }
    AfterEach {
        Remove-Item Env:BTCEDU_IMAGE_MODEL -ErrorAction SilentlyContinue
        $env:OPENAI_API_KEY = 'sk-pester-PIPELINE-1'
        $env:OPENAI_BASE_URL = $script:FakeBaseUrl
    }
    BeforeAll { $script:FakeBaseUrl = $env:OPENAI_BASE_URL }

    It 'writes nothing when refused with <ErrorId>' -ForEach @(
        @{ ErrorId = 'EpisodeNotFound'; Episode = 'nope'; Setup = {} }
        @{ ErrorId = 'EpisodeNotV2'; Episode = 'old1'; Setup = {} }
        @{ ErrorId = 'EpisodeNotChapterized'; Episode = 'bare'; Setup = {} }
        @{ ErrorId = 'ChaptersNotImported'; Episode = 'demo'; Setup = { Remove-Item (Join-Path $Root 'data/outputs/demo/chapters.json') } }
        @{ ErrorId = 'ModelRetired'; Episode = 'demo'; Setup = { $env:OPENAI_BASE_URL = 'https://api.openai.com/v1'; $env:BTCEDU_IMAGE_MODEL = 'dall-e-3' } }
        @{ ErrorId = 'OpenAiApiKeyMissing'; Episode = 'demo'; Setup = { Remove-Item Env:OPENAI_API_KEY } }
    ) {
        & $Setup
        $files = Get-Snapshot $Root
        Invoke-BtceduImageGen $Episode -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        Get-Snapshot $Root | Should -Be $files
        @(Get-FakeRequest).Count | Should -Be $Before
    }
}
