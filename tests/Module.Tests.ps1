$ErrorActionPreference = 'Stop'

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
}

Describe 'The module manifest' {
    It 'exports exactly the cmdlets the assembly defines' {
        $manifest = Import-PowerShellDataFile (Join-Path $Repo 'Btcedu.psd1')
        $defined = Get-Command -Module Btcedu -CommandType Cmdlet | ForEach-Object Name | Sort-Object
        @($manifest.CmdletsToExport | Sort-Object) | Should -Be $defined
    }

    It 'carries the version of Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $Repo 'Directory.Build.props'))
        (Import-PowerShellDataFile (Join-Path $Repo 'Btcedu.psd1')).ModuleVersion | Should -Be $props.Project.PropertyGroup.VersionPrefix
        (Get-Module Btcedu).Version.ToString() | Should -Be $props.Project.PropertyGroup.VersionPrefix
    }

    It 'uses approved verbs and the Btcedu prefix, and declares OutputType on every cmdlet' {
        $approved = Get-Verb | ForEach-Object Verb
        foreach ($command in Get-Command -Module Btcedu) {
            $command.Verb | Should -BeIn $approved
            $command.Noun | Should -Match '^Btcedu[A-Z][a-z]+[A-Za-z]*$'
            $command.OutputType.Count | Should -BeGreaterThan 0 -Because "$($command.Name) declares its output"
        }
    }

    It 'loads Core and its dependencies into its own load context, not the default one' {
        New-TestWorkspace | Out-Null
        Get-BtceduEpisode | Out-Null
        Remove-Item Env:BTCEDU_ROOT
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Btcedu.Core' }
        $core | Should -HaveCount 1
        [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).Name | Should -Be 'Btcedu'
    }

    It 'runs Core precompiled (ReadyToRun) on PowerShell 7.6 for linux-x64, and the portable IL elsewhere' {
        New-TestWorkspace | Out-Null
        Get-BtceduEpisode | Out-Null
        Remove-Item Env:BTCEDU_ROOT
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Btcedu.Core' }
        $precompiled = $IsLinux -and [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq 'X64' -and [Environment]::Version.Major -ge 10
        $expected = if ($precompiled) { 'module/core/r2r/linux-x64/Btcedu.Core.dll' } else { 'module/core/Btcedu.Core.dll' }
        $core.Location | Should -Be (Join-Path $Repo $expected)
        $stream = [IO.File]::OpenRead($core.Location)
        try {
            $flags = ([Reflection.PortableExecutable.PEReader]::new($stream)).PEHeaders.CorHeader.Flags
        }
        finally { $stream.Dispose() }
        # ILLibrary marks a ReadyToRun image (its native code beside the IL).
        $flags.HasFlag([Reflection.PortableExecutable.CorFlags]::ILLibrary) | Should -Be $precompiled
    }

    It 'takes a framework assembly from the framework when it is at least as new as the package copy beside Core' {
        New-TestWorkspace | Out-Null
        Import-BtceduChapter -EpisodeId demo -Path $Sample | Out-Null # reads JSON
        Invoke-BtceduImageGen demo -WhatIf 6>$null | Out-Null        # reads the catalogue's YAML
        Remove-Item Env:BTCEDU_ROOT
        $loaded = [AppDomain]::CurrentDomain.GetAssemblies()
        $yaml = $loaded | Where-Object { $_.GetName().Name -eq 'YamlDotNet' }
        [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(@($yaml)[0]).Name | Should -Be 'Btcedu'
        $package = [Reflection.AssemblyName]::GetAssemblyName((Join-Path $Repo 'module/core/System.Text.Json.dll')).Version
        $framework = [Reflection.AssemblyName]::GetAssemblyName((Join-Path ([Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()) 'System.Text.Json.dll')).Version
        $json = @($loaded | Where-Object { $_.GetName().Name -eq 'System.Text.Json' })
        if ($framework -ge $package) {
            # PowerShell 7.6 (.NET 10): one precompiled copy, the framework's, shared with the session.
            $json | Should -HaveCount 1
            [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($json[0]).Name | Should -Be 'Default'
        }
        else {
            [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(($json | Where-Object { $_.GetName().Version -eq $package })[0]).Name | Should -Be 'Btcedu'
        }
    }
}

Describe 'Episodes and chapters in a workspace' {
    BeforeEach {
        $script:Root = New-TestWorkspace
    }

    It 'imports the sample as a v2 CHAPTERIZED episode' {
        $episode = Import-BtceduChapter -EpisodeId demo -Path $Sample
        $episode.GetType().FullName | Should -Be 'Btcedu.Core.Episodes.Episode'
        $episode.Status | Should -Be 'CHAPTERIZED'
        $episode.PipelineVersion | Should -Be 2
        Test-Path (Join-Path $Root 'data/outputs/demo/chapters.json') | Should -BeTrue
        (Get-FileHash (Join-Path $Root 'data/outputs/demo/chapters.json')).Hash | Should -Be (Get-FileHash $Sample).Hash
    }

    It 'lists episodes with id, title, status, pipeline version, chapter count and update time' {
        Import-BtceduChapter -Path $Sample | Out-Null
        $e = Get-BtceduEpisode demo
        $e.Id | Should -Be 'demo'
        $e.Title | Should -Match 'Bitcoin'
        $e.ChapterCount | Should -BeGreaterOrEqual 10
        $e.UpdatedAt | Should -BeOfType [DateTimeOffset]
        (Get-BtceduEpisode -Status CHAPTERIZED).Id | Should -Be 'demo'
        Get-BtceduEpisode -Status NEW | Should -BeNullOrEmpty
    }

    It 'composes Get-BtceduChapter with Where on VisualType' {
        Import-BtceduChapter -EpisodeId demo -Path $Sample | Out-Null
        $diagrams = @(Get-BtceduChapter demo | Where VisualType -eq diagram)
        $diagrams.Count | Should -BeGreaterThan 0
        $diagrams | ForEach-Object { $_.VisualType | Should -Be 'diagram' }
        $diagrams[0].PSObject.Properties.Name | Should -Contain 'NarrationText'
        $all = @(Get-BtceduChapter demo)
        ($all.VisualType | ForEach-Object ToString | Sort-Object -Unique) | Should -Be @('b_roll', 'diagram', 'screen_share', 'talking_head', 'title_card')
        ($all.Title -join ' ') | Should -Match '[çğıİöşü]'
    }

    It 'binds the episode id from piped episodes and chapter ids by property name' {
        Import-BtceduChapter -Path $Sample | Out-Null
        @(Get-BtceduEpisode demo | Get-BtceduChapter).Count | Should -Be (Get-BtceduEpisode demo).ChapterCount
        (Get-BtceduChapter demo -ChapterId ch0[12]).ChapterId | Should -Be @('ch01', 'ch02')
        ([pscustomobject]@{ EpisodeId = 'demo'; ChapterId = 'ch03' } | Get-BtceduChapter).ChapterId | Should -Be 'ch03'
    }

    It 'creates a legacy episode and refuses chapters for it' {
        $old = New-BtceduEpisode -EpisodeId old1 -Title 'Legacy' -PipelineVersion 1
        $old.Status | Should -Be 'NEW'
        $old.PipelineVersion | Should -Be 1
        $before = Get-Snapshot $Root
        $copy = Join-Path $Root 'old1.json'
        (Get-Content -Raw $Sample) -replace '"episode_id": "demo"', '"episode_id": "old1"' | Set-Content -NoNewline $copy
        $before = Get-Snapshot $Root
        { Import-BtceduChapter -Path $copy -ErrorAction Stop } | Should -Throw -ErrorId 'LegacyEpisode,*'
        Get-Snapshot $Root | Should -Be $before
    }

    It 'gives ErrorRecords with an ErrorId, a category and the target' {
        Get-BtceduEpisode nope -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EpisodeNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nope'

        $bad = Join-Path $Root 'bad.json'
        Set-Content $bad '{ "schema_version": "1.0", "chapters": 3 }'
        Import-BtceduChapter -Path $bad -ErrorAction SilentlyContinue -ErrorVariable err2 | Out-Null
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'InvalidChapterDocument,*'
        $err2[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err2[0].TargetObject | Should -Be $bad
        $err2[0].Exception.Message | Should -Match 'chapters: must be an array'
        $err2[0].ScriptStackTrace | Should -Not -Match 'Btcedu\.Core'
    }

    It 'writes nothing under -WhatIf' {
        $before = Get-Snapshot $Root
        Import-BtceduChapter -Path $Sample -WhatIf
        New-BtceduEpisode x1 'X' -WhatIf
        Get-BtceduEpisode | Should -BeNullOrEmpty
        Test-Path (Join-Path $Root 'data/outputs/demo') | Should -BeFalse
    }

    It 'marks images stale when a changed document is re-imported' {
        Import-BtceduChapter -Path $Sample | Out-Null
        $images = Join-Path $Root 'data/outputs/demo/images'
        New-Item -ItemType Directory $images | Out-Null
        Set-Content (Join-Path $images 'ch02.png') 'png'
        $changed = Join-Path $Root 'changed.json'
        (Get-Content -Raw $Sample) -replace '"title": "Giriş"', '"title": "Açılış"' | Set-Content -NoNewline $changed
        (Get-Content -Raw $changed) | Should -Not -Be (Get-Content -Raw $Sample)
        Import-BtceduChapter -Path $changed | Out-Null
        Test-Path (Join-Path $images 'ch02.png.stale') | Should -BeTrue
        (Get-Content -Raw (Join-Path $images 'ch02.png.stale') | ConvertFrom-Json).invalidated_by | Should -Be 'chapterize'
        Test-Path (Join-Path $images 'ch02.png') | Should -BeTrue
    }

    It 'reads settings errors from btcedu.yaml as one clear terminating error' {
        Set-Content (Join-Path $Root 'btcedu.yaml') "image_model: gpt-image-2`nimage_throtle_limit: 3"
        { Get-BtceduEpisode } | Should -Throw -ErrorId 'InvalidSetting,*'
        try { Get-BtceduEpisode } catch { $_.Exception.Message | Should -Match "line 2: unknown setting 'image_throtle_limit'" }
    }

    AfterEach {
        Remove-Item Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
    }
}

Describe 'Isolation from other modules' {
    It 'works beside a conflicting YamlDotNet loaded first' {
        $root = New-TestWorkspace
        $fake = New-ImpostorAssembly -Name YamlDotNet -Path (Join-Path $root 'YamlDotNet.dll')
        Set-Content (Join-Path $root 'btcedu.yaml') 'image_model: dall-e-3'
        $psd1 = Join-Path $Repo 'Btcedu.psd1'
        $out = Invoke-ChildPwsh -Environment @{ BTCEDU_ROOT = $root } -Script @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$fake'
[YamlDotNet.Impostor].Assembly.GetName().Version.ToString()
Import-Module '$psd1'
New-BtceduEpisode iso 'İzolasyon' | Out-Null
(Get-BtceduEpisode iso).Title
"@
        # The impostor really holds the name in the session, and the module still reads btcedu.yaml with its own copy.
        $out | Should -Be @('99.0.0.0', 'İzolasyon')
        Remove-Item Env:BTCEDU_ROOT
    }
}

Describe 'The README' {
    It 'runs its example block as written on the shipped sample' {
        $readme = Get-Content -Raw (Join-Path $Repo 'README.md')
        $match = [regex]::Match($readme, '(?s)<!-- example -->\s*```powershell\r?\n(.*?)```')
        $match.Success | Should -BeTrue -Because 'the README marks its main example with <!-- example -->'
        $root = New-TestWorkspace
        $script = "`$ErrorActionPreference = 'Stop'; Set-Location '$Repo'`n" + $match.Groups[1].Value
        $out = Invoke-ChildPwsh -Environment @{ BTCEDU_ROOT = $root } -Script $script
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Not -Match 'Exception|Error'
        Remove-Item Env:BTCEDU_ROOT
    }
}
