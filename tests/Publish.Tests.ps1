$ErrorActionPreference = 'Stop'

# Issue 14, item 6: the manifest, and a module folder that Publish-PSResource accepts and that works on its own.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Manifest = Import-PowerShellDataFile (Join-Path $Repo 'Btcedu.psd1')
}

Describe 'The module manifest' {
    It 'passes Test-ModuleManifest and says what a gallery needs' {
        $info = Test-ModuleManifest (Join-Path $Repo 'Btcedu.psd1')
        $info.PowerShellVersion | Should -Be ([version]'7.4')
        $Manifest.CompatiblePSEditions | Should -Be @('Core')
        $Manifest.Description | Should -Not -BeNullOrEmpty
        $Manifest.PrivateData.PSData.Tags | Should -Not -BeNullOrEmpty
        $Manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $Manifest.FormatsToProcess | Should -Be @('module/Btcedu.Format.ps1xml')
    }
}

Describe 'The publishable layout' {
    BeforeAll {
        $script:Out = Join-Path $TestDrive 'publish'
        $script:Layout = & (Join-Path $Repo 'build/New-ModuleLayout.ps1') -Destination $Out
    }

    It 'holds the manifest, the assemblies, the help, the prompts, the catalogue and the gallery template' {
        foreach ($file in 'Btcedu.psd1', 'module/Btcedu.PowerShell.dll', 'module/core/Btcedu.Core.dll', 'module/core/models.yaml',
            'module/core/gallery/template.html', 'en-US/Btcedu.PowerShell.dll-Help.xml', 'en-US/about_Btcedu.help.txt', 'prompts/imagegen.md') {
            Test-Path (Join-Path $Layout $file) | Should -BeTrue -Because $file
        }
    }

    It 'imports from its own folder and runs the dry run on the sample, with its help' {
        $root = New-TestWorkspace
        $sample = Join-Path $Repo 'data/samples/demo/chapters.json'
        $out = Invoke-ChildPwsh -Environment @{ BTCEDU_ROOT = $root; OPENAI_API_KEY = $null } -Script @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Join-Path $Layout 'Btcedu.psd1')'
(Get-Module Btcedu).ModuleBase
Import-BtceduChapter -Path '$sample' | Out-Null
(Get-BtceduImageModel gpt-image-2).Status
Invoke-BtceduImageGen demo -WhatIf
(Get-Help Invoke-BtceduImageGen).Synopsis
"@
        $text = $out -join "`n"
        $text | Should -Match ([regex]::Escape($Layout))
        $text | Should -Match 'Active'
        $text | Should -Match 'What if: .*gpt-image-2 1920x1088 medium'
        $text | Should -Match 'Generates the 1920×1080 chapter images'
    }

    It 'is accepted by Publish-PSResource' {
        $feed = Join-Path $TestDrive 'feed'
        New-Item -ItemType Directory -Path $feed | Out-Null
        $name = 'btcedu-test-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Register-PSResourceRepository -Name $name -Uri $feed -Trusted
        try {
            Publish-PSResource -Path $Layout -Repository $name
            @(Get-ChildItem $feed -Filter 'btcedu.0.1.0.nupkg').Count | Should -Be 1
        }
        finally { Unregister-PSResourceRepository -Name $name }
    }
}
