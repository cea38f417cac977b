$ErrorActionPreference = 'Stop'

# Get-BtceduImageHistory and Restore-BtceduImage, as operators use them (the cmdlet family of paid images kept in
# images/history/; the core of it is ImageHistoryTests and ImageRestorerTests).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = 'sk-pester-HISTORY-1'
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:BTCEDU_ROOT, Env:OPENAI_API_KEY -ErrorAction SilentlyContinue
}

Describe 'Image history' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        Invoke-BtceduImageGen demo | Out-Null
        $script:Image = Join-Path $Root 'data/outputs/demo/images/ch04.png'
        $script:First = (Get-FileHash $Image).Hash
        # The fake answers with one sample image; give the regenerated ch04 different bytes so the two can be told apart.
        [IO.File]::WriteAllBytes($Image, [IO.File]::ReadAllBytes($Image) + [byte[]](1, 2, 3))
        $script:Changed = (Get-FileHash $Image).Hash
    }

    It '-Force keeps the previous images in history; restore by pipeline, then re-run, spends nothing' {
        Invoke-BtceduImageGen demo -ChapterId ch04 -Force | Out-Null
        $versions = @(Get-BtceduImageHistory demo -ChapterId ch04)
        $versions.Count | Should -Be 1
        $versions[0].GetType().FullName | Should -Be 'Btcedu.Core.ImageGen.ImageVersion'
        (Get-FileHash $versions[0].Path).Hash | Should -Be $Changed
        $versions[0].Model | Should -Be 'gpt-image-2'
        $render = Join-Path $Root 'data/outputs/demo/render/draft.mp4'
        New-Item -ItemType Directory -Force (Split-Path $render) | Out-Null
        Set-Content $render 'x'

        $restored = Get-BtceduImageHistory demo -ChapterId ch04 | Select-Object -First 1 | Restore-BtceduImage -Confirm:$false
        $restored.UpToDate | Should -BeTrue
        (Get-FileHash $Image).Hash | Should -Be $Changed
        Test-Path "$render.stale" | Should -BeTrue
        (Get-BtceduImageHistory demo -ChapterId ch04).Version | Should -Be 2

        $before = @(Get-FakeRequest).Count
        $again = Invoke-BtceduImageGen demo
        ($again | Where-Object ChapterId -eq ch04).Status | Should -Be 'Unchanged'
        @(Get-FakeRequest).Count | Should -Be $before
        ($again | Measure-Object CostUsd -Sum).Sum | Should -Be 0
    }

    It 'writes nothing under -WhatIf, and names a missing version ImageVersionNotFound' {
        Invoke-BtceduImageGen demo -ChapterId ch04 -Force | Out-Null
        $snapshot = Get-Snapshot $Root
        Restore-BtceduImage demo -ChapterId ch04 -Version 1 -WhatIf | Should -BeNullOrEmpty
        Get-Snapshot $Root | Should -Be $snapshot
        Restore-BtceduImage demo -ChapterId ch04 -Version 7 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ImageVersionNotFound,*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].TargetObject | Should -Be 7
    }

    It 'is pruned to image_history_keep, and the pruning is logged' {
        $env:BTCEDU_IMAGE_HISTORY_KEEP = '2'
        try {
            foreach ($i in 1..3) {
                Invoke-BtceduImageGen demo -ChapterId ch04 -Verbose 4>&1 | Out-String | Set-Variable log
                [IO.File]::AppendAllText($Image, "$i")   # the next run replaces different bytes
            }
            $log | Should -Match 'pruned'
            (Get-BtceduImageHistory demo -ChapterId ch04).Version -join ',' | Should -Be '3,2'
        }
        finally { Remove-Item Env:BTCEDU_IMAGE_HISTORY_KEEP }
    }
}
