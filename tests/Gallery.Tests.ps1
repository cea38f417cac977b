$ErrorActionPreference = 'Stop'

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = 'sk-pester-GALLERY-1'
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:BTCEDU_ROOT, Env:OPENAI_API_KEY -ErrorAction SilentlyContinue
}

Describe 'Export-BtceduGallery' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        Invoke-BtceduImageGen demo | Out-Null
        $script:Gallery = Join-Path $Root 'data/gallery'
    }

    It 'writes data/gallery/ and returns the episode page as a FileInfo' {
        $page = Export-BtceduGallery demo
        $page | Should -BeOfType System.IO.FileInfo
        $page.FullName | Should -Be (Join-Path $Gallery 'demo/index.html')
        Test-Path (Join-Path $Gallery 'index.html') | Should -BeTrue
        Test-Path (Join-Path $Gallery 'gallery.css') | Should -BeTrue
        $html = Get-Content -Raw -LiteralPath $page.FullName -Encoding utf8
        $html | Should -Match '<meta charset="utf-8">'
        $html | Should -Match ([regex]::Escape('Invoke-BtceduImageGen demo -ChapterId ch02'))
        $html | Should -Match 'Bitcoin Nedir\? Dijital Paranın Temelleri'
        # Every chapter has a visual: the generated images and the brand cards of its title card and talking head.
        $generated = @(Get-BtceduMediaAsset demo).Count
        $cards = @(Get-BtceduChapter demo | Where-Object VisualType -in 'title_card', 'talking_head').Count
        $cards | Should -BeGreaterThan 0
        @(Get-ChildItem (Join-Path $Gallery 'demo/thumb') -Filter *.jpg).Count | Should -Be ($generated + $cards)
        ([regex]::Matches($html, 'class="card"')).Count | Should -Be 12
    }

    It 'exports piped episodes, one page each, and an index linking them' {
        New-BtceduEpisode old1 'Eski bölüm' -PipelineVersion 1 | Out-Null
        $pages = @(Get-BtceduEpisode | Export-BtceduGallery)
        $pages.Count | Should -Be 2
        ($pages | ForEach-Object { $_.Directory.Name }) -join ',' | Should -Be 'demo,old1'
        $index = Get-Content -Raw (Join-Path $Gallery 'index.html') -Encoding utf8
        $index | Should -Match 'href="demo/index.html"'
        $index | Should -Match 'href="old1/index.html"'
        $index | Should -Match 'Eski bölüm'
    }

    It 'writes nothing under -WhatIf' {
        $out = Export-BtceduGallery demo -WhatIf
        $out | Should -BeNullOrEmpty
        Test-Path $Gallery | Should -BeFalse
    }

    It 'writes to -Path relative to the current location, and -Open on a headless run only warns' {
        $display = $env:DISPLAY; $wayland = $env:WAYLAND_DISPLAY
        Remove-Item Env:DISPLAY, Env:WAYLAND_DISPLAY -ErrorAction SilentlyContinue
        Push-Location $Root
        try {
            $page = Export-BtceduGallery demo -Path ./review -Open -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable failed
        }
        finally {
            Pop-Location
            if ($display) { $env:DISPLAY = $display }
            if ($wayland) { $env:WAYLAND_DISPLAY = $wayland }
        }
        $failed | Should -BeNullOrEmpty
        $page.FullName | Should -Be (Join-Path $Root 'review/demo/index.html')
        "$warned" | Should -Match ([regex]::Escape($page.FullName))
    }

    It 'reports an unknown or wildcard episode with its ErrorId and exports the others' {
        $pages = @(Export-BtceduGallery nope, 'de*', demo -ErrorVariable failed -ErrorAction SilentlyContinue)
        $pages.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
        $failed[0].TargetObject | Should -Be 'nope'
        $failed[1].FullyQualifiedErrorId | Should -BeLike 'InvalidEpisodeId,*'
    }

    It 'rewrites nothing on a second export, and only a changed image''s thumbnail after that' {
        Export-BtceduGallery demo | Out-Null
        $before = Get-ChildItem $Gallery -Recurse -File | ForEach-Object { "$($_.FullName)|$($_.LastWriteTimeUtc.Ticks)" }
        Start-Sleep -Milliseconds 50
        $verbose = Export-BtceduGallery demo -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$verbose" | Should -Match '0 file\(s\) written, 0 thumbnail\(s\) made'
        Get-ChildItem $Gallery -Recurse -File | ForEach-Object { "$($_.FullName)|$($_.LastWriteTimeUtc.Ticks)" } | Should -Be $before

        # Bytes after the PNG's end: another hash, the same picture.
        [System.IO.File]::AppendAllText((Join-Path $Root 'data/outputs/demo/images/ch02.png'), 'changed')
        $verbose = Export-BtceduGallery demo -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$verbose" | Should -Match '1 thumbnail\(s\) made, 2 unused file\(s\) removed'
    }
}
