$ErrorActionPreference = 'Stop'

# Issue 11: the culture under test, hostile ids, files, settings and URLs, and the one id-matching rule.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force

    function script:Get-ErrorFrom([scriptblock] $Command) {
        <# Runs the command and returns its first error record, terminating or not. #>
        $ErrorActionPreference = 'Stop'
        try { & $Command | Out-Null } catch { return $_ }
        throw 'the command wrote no error'
    }
}

AfterAll {
    Remove-Item Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
}

Describe 'The culture under test' {
    It 'is tr-TR in this session, so that culture bugs show' {
        [cultureinfo]::CurrentCulture.Name | Should -Be 'tr-TR' -Because 'tests/run.ps1 runs Pester with LANG/LC_ALL=tr_TR.UTF-8'
        'I'.ToLower([cultureinfo]::CurrentCulture) | Should -Be 'ı'
    }

    It 'is tr-TR in the pwsh processes the tests start' {
        Invoke-ChildPwsh -Script '[cultureinfo]::CurrentCulture.Name; (0.5).ToString()' | Should -Be @('tr-TR', '0,5')
    }

    It 'refuses a Turkish decimal comma in a BTCEDU_* variable and says to write a point' {
        New-TestWorkspace | Out-Null
        $env:BTCEDU_MAX_EPISODE_COST_USD = '0,1'
        try {
            $e = Get-ErrorFrom { Get-BtceduEpisode }
            $e.FullyQualifiedErrorId | Should -BeLike 'InvalidSetting,*'
            $e.CategoryInfo.Category | Should -Be 'InvalidData'
            $e.Exception.Message | Should -Match 'BTCEDU_MAX_EPISODE_COST_USD'
            $e.Exception.Message | Should -Match "use '0\.1'"
        }
        finally { Remove-Item Env:BTCEDU_MAX_EPISODE_COST_USD }
    }

    It 'refuses max_episode_cost_usd: 0,1 in btcedu.yaml' {
        $root = New-TestWorkspace
        Set-Content (Join-Path $root 'btcedu.yaml') 'max_episode_cost_usd: 0,1'
        $e = Get-ErrorFrom { Get-BtceduEpisode }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidSetting,*'
        $e.Exception.Message | Should -Match "line 1.*max_episode_cost_usd.*use '0\.1'"
    }
}

Describe 'Hostile ids' {
    BeforeEach { $script:Root = New-TestWorkspace }

    It 'refuses an id with a trailing newline' {
        $e = Get-ErrorFrom { New-BtceduEpisode "ep1`n" 'Newline' }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidEpisodeId,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.TargetObject | Should -Be "ep1`n"
        Get-BtceduEpisode | Should -BeNullOrEmpty
    }

    It 'refuses Windows device names in any case: <_>' -ForEach 'CON', 'nul', 'Aux', 'prn', 'COM1', 'lpt9' {
        $e = Get-ErrorFrom { New-BtceduEpisode $_ 'Device' }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidEpisodeId,*'
        $e.Exception.Message | Should -Match 'reserved device name'
    }

    It 'refuses an episode id that differs only in case from an existing one' {
        New-BtceduEpisode demo 'Demo' | Out-Null
        $e = Get-ErrorFrom { New-BtceduEpisode DEMO 'Again' }
        $e.FullyQualifiedErrorId | Should -BeLike 'EpisodeIdCaseConflict,*'
        $e.TargetObject | Should -Be 'DEMO'
        @(Get-BtceduEpisode).Id | Should -Be @('demo')
    }

    It 'refuses an import under an episode id that differs only in case' {
        Import-BtceduChapter -Path $Sample | Out-Null
        $copy = Join-Path $Root 'Demo.json'
        (Get-Content -Raw $Sample) -replace '"episode_id": "demo"', '"episode_id": "Demo"' | Set-Content -NoNewline $copy
        $before = Get-Snapshot $Root
        $e = Get-ErrorFrom { Import-BtceduChapter -Path $copy }
        $e.FullyQualifiedErrorId | Should -BeLike 'EpisodeIdCaseConflict,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-Snapshot $Root | Should -Be $before
    }

    It 'refuses chapter ids that differ only in case, with their JSON path' {
        $copy = Join-Path $Root 'case.json'
        (Get-Content -Raw $Sample) -replace '"chapter_id": "ch03"', '"chapter_id": "CH02"' | Set-Content -NoNewline $copy
        $e = Get-ErrorFrom { Import-BtceduChapter -Path $copy }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidChapterDocument,*'
        $e.Exception.Message | Should -Match "chapters\[2\]\.chapter_id: 'CH02' differs only in case from 'ch02'"
    }
}

Describe 'Hostile files given to Import-BtceduChapter' {
    BeforeEach { $script:Root = New-TestWorkspace }

    It 'says ObjectNotFound for a wildcard that matches nothing' {
        $e = Get-ErrorFrom { Import-BtceduChapter -Path (Join-Path $Root 'nothing-*.json') }
        $e.FullyQualifiedErrorId | Should -BeLike 'ChapterFileNotFound,*'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.TargetObject | Should -Be (Join-Path $Root 'nothing-*.json')
    }

    It 'says ObjectNotFound for a literal name with [1] given to -Path, and -LiteralPath imports it' {
        $odd = Join-Path $Root 'demo[1].json'
        Copy-Item -LiteralPath $Sample -Destination $odd
        $e = Get-ErrorFrom { Import-BtceduChapter -Path $odd }
        $e.FullyQualifiedErrorId | Should -BeLike 'ChapterFileNotFound,*'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -Match 'LiteralPath'
        (Import-BtceduChapter -LiteralPath $odd).Id | Should -Be 'demo'
    }

    It 'says a directory is a directory' {
        $e = Get-ErrorFrom { Import-BtceduChapter -Path $Root }
        $e.FullyQualifiedErrorId | Should -BeLike 'ChapterFileIsDirectory,*'
        $e.Exception.Message | Should -Match 'is a directory'
    }

    It 'refuses a device at once, before reading it' -Skip:$IsWindows {
        # Reading /dev/zero never ends: an answer at all proves it was refused before reading (no stopwatch).
        $e = Get-ErrorFrom { Import-BtceduChapter -LiteralPath /dev/zero }
        $e.FullyQualifiedErrorId | Should -BeLike 'ChapterFileNotRegular,*'
        $e.TargetObject | Should -Be '/dev/zero'
    }

    It 'refuses a FIFO without waiting for a writer' -Skip:$IsWindows {
        $fifo = Join-Path $Root 'chapters.json'
        mkfifo $fifo
        $LASTEXITCODE | Should -Be 0
        # In a child process with a deadline, so that a regression hangs the child, not the suite.
        $psd1 = Join-Path $Repo 'Btcedu.psd1'
        $job = Start-ThreadJob { param($psd1, $fifo, $root)
            $env:BTCEDU_ROOT = $root
            Import-Module $psd1
            Import-BtceduChapter -LiteralPath $fifo -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
            $err[0].FullyQualifiedErrorId
        } -ArgumentList $psd1, $fifo, $Root
        $finished = $job | Wait-Job -Timeout 20
        try {
            $finished | Should -Not -BeNullOrEmpty -Because 'opening a FIFO blocks until a writer comes'
            Receive-Job $job | Should -BeLike 'ChapterFileNotRegular,*'
        }
        finally {
            if (-not $finished) { [IO.File]::WriteAllText($fifo, '') }   # a writer releases the blocked reader
            $job | Remove-Job -Force
        }
    }

    It 'reports an unreadable file as ReadError' -Skip:(-not $IsLinux) {
        # /proc/self/mem is a regular file whose read fails (EIO) for every user, root included.
        $e = Get-ErrorFrom { Import-BtceduChapter -LiteralPath /proc/self/mem }
        $e.FullyQualifiedErrorId | Should -BeLike 'ChapterFileUnreadable,*'
        $e.CategoryInfo.Category | Should -Be 'ReadError'
        $e.TargetObject | Should -Be '/proc/self/mem'
    }
}

Describe 'Hostile settings' {
    BeforeEach { $script:Root = New-TestWorkspace }

    It 'warns about an unknown BTCEDU_* variable and names the closest setting' {
        $env:BTCEDU_IMAGE_MODLE = 'dall-e-3'
        try {
            Get-BtceduEpisode -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
            @($warnings).Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'BTCEDU_IMAGE_MODLE.*Did you mean BTCEDU_IMAGE_MODEL\?'
        }
        finally { Remove-Item Env:BTCEDU_IMAGE_MODLE }
    }

    It 'refuses a YAML alias bomb within seconds' {
        $lines = @('l0: &l0 [x, x, x, x, x, x, x, x, x]')
        foreach ($level in 1..9) { $lines += "l${level}: &l$level [$((1..9 | ForEach-Object { "*l$($level - 1)" }) -join ', ')]" }
        Set-Content (Join-Path $Root 'btcedu.yaml') $lines
        # Expanded, the bomb is 9^10 nodes: a refusal naming the alias proves it was stopped, not parsed (no stopwatch).
        $e = Get-ErrorFrom { Get-BtceduEpisode }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidSetting,*'
        $e.Exception.Message | Should -Match 'alias'
    }

    It 'refuses a second YAML document' {
        Set-Content (Join-Path $Root 'btcedu.yaml') "image_model: gpt-image-1`n---`nimage_model: dall-e-3"
        (Get-ErrorFrom { Get-BtceduEpisode }).Exception.Message | Should -Match 'line 2: a second YAML document'
    }

    It 'refuses bytes that are not UTF-8' {
        [IO.File]::WriteAllBytes((Join-Path $Root 'btcedu.yaml'), [byte[]](@([Text.Encoding]::ASCII.GetBytes('image_style_prefix: D')) + 0xFC + 10))
        $e = Get-ErrorFrom { Get-BtceduEpisode }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidSetting,*'
        $e.Exception.Message | Should -Match 'not valid UTF-8'
    }
}

Describe 'Credentials in openai_base_url' {
    BeforeAll {
        $script:Fake = Start-FakeOpenAI
        $script:Password = 'pw-PESTER-S3CRET'
        $env:OPENAI_API_KEY = 'sk-pester-url-creds'
    }
    AfterAll {
        Stop-FakeOpenAI
        Remove-Item Env:OPENAI_API_KEY -ErrorAction SilentlyContinue
    }

    It 'never appear in output, verbose lines, warnings, errors or any file written' {
        $root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        $withCredentials = $Fake.BaseUrl -replace '^http://', "http://ops:$Password@"
        $env:OPENAI_BASE_URL = $withCredentials
        try {
            # The provider echoes the URL it was called with, as gateways do; the 404 path names the endpoint.
            Set-FakeResponse -Status 404 -Body (@{ error = @{ message = "no model at $withCredentials"; code = 'model_not_found' } } | ConvertTo-Json -Compress) 
            $Error.Clear()
            $all = Invoke-BtceduImageGen demo -ChapterId ch04 -Verbose -ErrorVariable errs -ErrorAction SilentlyContinue *>&1 | Out-String
            $text = $all + ($errs | Out-String) + ($Error | ForEach-Object { "$_ $($_.Exception.Message) $($_.ErrorDetails) $($_.TargetObject)" } | Out-String)
            $text | Should -Match 'ch04'
            $text | Should -Match 'retired at http://127\.0\.0\.1'
            $text | Should -Not -Match $Password
            $text | Should -Not -Match 'ops:'
            Get-ChildItem $root -Recurse -File | Where-Object { Select-String -LiteralPath $_.FullName -SimpleMatch $Password -Quiet } | Should -BeNullOrEmpty
        }
        finally { $env:OPENAI_BASE_URL = $Fake.BaseUrl }
    }
}

Describe 'One id rule for every cmdlet' {
    BeforeAll {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
    }

    It 'takes wildcards exactly where a parameter declares SupportsWildcards' {
        $wildcard = foreach ($command in Get-Command -Module Btcedu) {
            foreach ($p in $command.Parameters.Values | Where-Object Name -like '*Id') {
                if ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) { "$($command.Name) -$($p.Name)" }
            }
        }
        @($wildcard | Sort-Object) | Should -Be @(
            'Get-BtceduChapter -ChapterId'
            'Get-BtceduCostReport -EpisodeId'
            'Get-BtceduEpisode -EpisodeId'
            'Get-BtceduMediaAsset -ChapterId'
            'Get-BtceduMediaAsset -EpisodeId'
            'Get-BtceduPipelinePlan -EpisodeId'
            'Get-BtceduStale -EpisodeId')
    }

    It 'refuses a wildcard in an exact-id parameter as InvalidArgument, and never suggests importing it' {
        $e = Get-ErrorFrom { Invoke-BtceduImageGen 'de*' -WhatIf }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidEpisodeId,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.TargetObject | Should -Be 'de*'
        $e.Exception.Message | Should -Match 'wildcard'
        $e.Exception.Message | Should -Not -Match 'Import-BtceduChapter'

        (Get-ErrorFrom { Invoke-BtceduImageGen demo -ChapterId 'ch0*' -WhatIf }).FullyQualifiedErrorId | Should -BeLike 'InvalidChapterId,*'
        (Get-ErrorFrom { Get-BtceduChapter 'de*' }).FullyQualifiedErrorId | Should -BeLike 'InvalidEpisodeId,*'
        (Get-ErrorFrom { Import-BtceduChapter -Path $Sample -EpisodeId 'de*' }).FullyQualifiedErrorId | Should -BeLike 'InvalidEpisodeId,*'
    }

    It 'matches ids and patterns case-sensitively everywhere' {
        (Get-BtceduEpisode 'de*').Id | Should -Be 'demo'
        Get-BtceduEpisode 'DE*' | Should -BeNullOrEmpty
        $e = Get-ErrorFrom { Get-BtceduEpisode DEMO }
        $e.FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
        $e.Exception.Message | Should -Match "case-sensitive.*'demo'"
        (Get-ErrorFrom { Get-BtceduChapter DEMO }).FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
        (Get-BtceduChapter demo -ChapterId 'ch0[12]').ChapterId | Should -Be @('ch01', 'ch02')
        Get-BtceduChapter demo -ChapterId 'CH0*' | Should -BeNullOrEmpty
        (Get-ErrorFrom { Get-BtceduChapter demo -ChapterId CH01 }).FullyQualifiedErrorId | Should -BeLike 'ChapterNotFound,*'
        (Get-ErrorFrom { Get-BtceduMediaAsset DEMO }).FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
        @(Get-BtceduPipelinePlan 'de*').Count | Should -Be 8
        Get-BtceduPipelinePlan 'DE*' | Should -BeNullOrEmpty
        (Get-ErrorFrom { Get-BtceduPipelinePlan DEMO }).FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
        (Get-ErrorFrom { Get-BtceduStale DEMO }).FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
        (Get-ErrorFrom { Set-BtceduStale 'de*' -Stage chapterize -WhatIf }).FullyQualifiedErrorId | Should -BeLike 'InvalidEpisodeId,*'
    }
}
