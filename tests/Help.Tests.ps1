$ErrorActionPreference = 'Stop'

# Get-Help for every exported cmdlet comes from the MAML that build/Help.targets compiles from docs/commands/*.md.
# Without that file PowerShell still answers with generated help (syntax only), so these tests then fail.

BeforeDiscovery {
    $manifest = Import-PowerShellDataFile (Join-Path (Split-Path $PSScriptRoot -Parent) 'Btcedu.psd1')
    $script:Cmdlets = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters

    function Get-ParameterFacts([System.Management.Automation.CommandInfo] $Command, [string] $Name) {
        <# What the cmdlet itself says about one parameter, in the words of Get-Help. #>
        $p = $Command.Parameters[$Name]
        $attributes = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $byValue = [bool]($attributes | Where-Object ValueFromPipeline)
        $byName = [bool]($attributes | Where-Object ValueFromPipelineByPropertyName)
        $position = @($attributes | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Select-Object -Unique)
        [pscustomobject]@{
            Required = if ($attributes | Where-Object Mandatory) { 'true' } else { 'false' }
            Position = if ($position.Count) { "$($position[0])" } else { 'named' }
            Pipeline = if ($byValue -and $byName) { 'True (ByPropertyName, ByValue)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
            Type     = $p.ParameterType.Name
            Globbing = if ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) { 'true' } else { 'false' }
            Aliases  = if ($p.Aliases.Count) { ($p.Aliases | Sort-Object) -join ', ' } else { 'none' }
        }
    }
}

Describe 'The help file' {
    It 'is compiled to en-US beside the module manifest' {
        $file = Join-Path $Repo 'en-US/Btcedu.PowerShell.dll-Help.xml'
        Test-Path $file | Should -BeTrue -Because 'dotnet build compiles docs/commands/*.md into it'
        $xml = [xml](Get-Content -Raw $file)
        $xml.helpItems.schema | Should -Be 'maml'
        @($xml.helpItems.command).Count | Should -Be $Cmdlets.Count
    }

    It 'has one source page per exported cmdlet and none for a cmdlet that does not exist' {
        $pages = Get-ChildItem (Join-Path $Repo 'docs/commands') -Filter *.md | ForEach-Object BaseName | Sort-Object
        $pages | Should -Be ($Cmdlets.Name | Sort-Object)
    }
}

Describe 'Get-Help <Name>' -ForEach $Cmdlets {
    BeforeAll {
        $script:Command = Get-Command $Name
        $script:Help = Get-Help $Name -Full
    }

    It 'has a synopsis and a description' {
        "$($Help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($Help.Synopsis)".Trim() | Should -Not -BeLike "$Name *" -Because 'a synopsis that is the syntax line means no help file was found'
        ($Help.description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples that run the cmdlet' {
        @($Help.examples.example).Count | Should -BeGreaterOrEqual 2 -Because 'every cmdlet shows at least two real uses (issue 14)'
        foreach ($example in $Help.examples.example) {
            $example.code | Should -Match ([regex]::Escape($Name))
        }
    }

    It 'documents exactly the parameters the cmdlet has' {
        $actual = @($Command.Parameters.Keys | Where-Object { $_ -notin $Common } | Sort-Object)
        $documented = @($Help.parameters.parameter | ForEach-Object name | Sort-Object)
        $documented | Should -Be $actual
    }

    It 'describes every parameter and gives its real metadata' {
        foreach ($parameter in $Help.parameters.parameter) {
            ($parameter.description.Text -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs a description"
            $facts = Get-ParameterFacts $Command $parameter.name
            $parameter.required | Should -Be $facts.Required -Because "-$($parameter.name) Required"
            $parameter.position | Should -Be $facts.Position -Because "-$($parameter.name) Position"
            $parameter.pipelineInput | Should -Be $facts.Pipeline -Because "-$($parameter.name) Accept pipeline input"
            $parameter.type.name | Should -Be $facts.Type -Because "-$($parameter.name) Type"
            $parameter.globbing | Should -Be $facts.Globbing -Because "-$($parameter.name) Accept wildcard characters"
            (($parameter.aliases -split ',\s*' | Sort-Object) -join ', ') | Should -Be $facts.Aliases -Because "-$($parameter.name) Aliases"
        }
    }

    It 'has one syntax item per parameter set, with the parameters of that set' {
        $items = @($Help.syntax.syntaxItem)
        $items.Count | Should -Be $Command.ParameterSets.Count
        foreach ($set in $Command.ParameterSets) {
            $expected = @($set.Parameters.Name | Where-Object { $_ -notin $Common } | Sort-Object)
            $match = $items | Where-Object { (@($_.parameter.name | Sort-Object) -join ',') -eq ($expected -join ',') }
            $match | Should -Not -BeNullOrEmpty -Because "parameter set '$($set.Name)' ($($expected -join ', ')) needs a syntax item"
        }
    }

    It 'names its inputs, outputs and related commands' {
        @($Help.inputTypes.inputType).Count | Should -BeGreaterThan 0
        @($Help.returnValues.returnValue).Count | Should -BeGreaterThan 0
        $declared = @($Command.OutputType.Name)
        @($Help.returnValues.returnValue.type.name) | Should -Be $declared
        foreach ($link in $Help.relatedLinks.navigationLink) {
            if (-not $link.uri) { Get-Command $link.linkText -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "related link '$($link.linkText)'" }
        }
    }

    It 'links its online page: the manifest''s HelpInfoURI + commands/<Name>.md, a page that exists in the repository' {
        $manifest = Import-PowerShellDataFile (Join-Path $Repo 'Btcedu.psd1')
        $online = @($Help.relatedLinks.navigationLink)[0]
        $online.linkText | Should -Be 'Online Version:'
        $online.uri | Should -BeExactly "$($manifest.HelpInfoURI)commands/$Name.md" -Because 'Get-Help -Online opens the first related link with a URI'
        Test-Path (Join-Path $Repo "docs/commands/$Name.md") | Should -BeTrue
    }
}

Describe 'The manifest''s help URI' {
    It 'is the repository''s docs folder, under the ProjectUri' {
        $manifest = Import-PowerShellDataFile (Join-Path $Repo 'Btcedu.psd1')
        $manifest.HelpInfoURI | Should -Not -BeNullOrEmpty
        $manifest.HelpInfoURI | Should -BeLike "$($manifest.PrivateData.PSData.ProjectUri)*"
        $manifest.HelpInfoURI | Should -Match '/docs/$'
        (Test-ModuleManifest (Join-Path $Repo 'Btcedu.psd1')).HelpInfoUri | Should -Be $manifest.HelpInfoURI
    }
}

Describe 'Get-Help about_Btcedu' {
    BeforeAll {
        $script:Root = New-TestWorkspace
        Get-BtceduImageModel | Out-Null # loads Core into the module's load context
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Btcedu.Core' } | Select-Object -First 1
        $script:CoreTypes = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).LoadFromAssemblyName($core.GetName())
        $script:Topic = Get-Help about_Btcedu | Out-String -Width 250
    }
    AfterAll {
        Remove-Item Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $Root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'is the topic compiled beside the manifest, byte for byte its source in docs/about' {
        $built = Join-Path $Repo 'en-US/about_Btcedu.help.txt'
        Test-Path $built | Should -BeTrue -Because 'dotnet build copies docs/about/about_Btcedu.help.txt there'
        (Get-FileHash $built).Hash | Should -Be (Get-FileHash (Join-Path $Repo 'docs/about/about_Btcedu.help.txt')).Hash
        $Topic | Should -Match '(?m)^TOPIC\s+about_Btcedu'
        $Topic | Should -Match 'SHORT DESCRIPTION'
    }

    It 'is found from another directory too' {
        $script = "Set-Location -LiteralPath '$([IO.Path]::GetTempPath())'; Import-Module '$(Join-Path $Repo 'Btcedu.psd1')'; (Get-Help about_Btcedu | Out-String) -match 'about_Btcedu' -and (Get-Help about_Btcedu | Out-String) -match 'max_episode_cost_usd'"
        Invoke-ChildPwsh -Script $script | Select-Object -Last 1 | Should -Be 'True'
    }

    It 'names every settings key (SettingsLoader.Keys), so a new key cannot go undocumented' {
        $keys = @($CoreTypes.GetType('Btcedu.Core.Settings.SettingsLoader', $true).GetProperty('Keys').GetValue($null))
        $keys.Count | Should -BeGreaterThan 10
        foreach ($key in $keys) {
            $Topic | Should -Match "(?<![A-Za-z_])$([regex]::Escape($key))(?![A-Za-z_])" -Because "about_Btcedu must document the setting '$key'"
        }
    }

    It 'names every v2 stage, in pipeline order' {
        $stages = @($CoreTypes.GetType('Btcedu.Core.Pipeline.StageGraph', $true).GetMethod('For').Invoke($null, @(2)) | ForEach-Object { "$($_.Stage)" })
        $stages.Count | Should -Be 8
        $line = ([regex]::Match($Topic, '(?s)correct -> .*?publish')).Value -replace '\s+', ' '
        $named = @([regex]::Matches($line, '[a-z]+') | ForEach-Object Value | Where-Object { $_ -in $stages })
        $named | Should -Be $stages
    }

    It 'names every exported cmdlet' {
        foreach ($name in (Get-Module Btcedu).ExportedCmdlets.Keys) {
            $Topic | Should -Match ([regex]::Escape($name)) -Because "the CMDLETS section lists $name"
        }
    }

    It 'names the errors that end an image run for a script' {
        foreach ($id in 'ImageGenerationFailed', 'ApiKeyRejected', 'QuotaExhausted', 'ImageModelUnavailable', 'CostLimitExceeded', 'EpisodeLocked') {
            $Topic | Should -Match $id
        }
    }
}

Describe 'Get-Help Invoke-BtceduImageGen -Examples' {
    It 'shows the operator pipelines: piped diagrams with -Force, and the -WhatIf dry run' {
        $text = Get-Help Invoke-BtceduImageGen -Examples | Out-String -Width 250
        $text | Should -Match ([regex]::Escape('Get-BtceduChapter ep1 | Where VisualType -eq diagram | Invoke-BtceduImageGen -Force'))
        $text | Should -Match ([regex]::Escape('Invoke-BtceduImageGen ep1 -WhatIf'))
    }
}

Describe 'Get-Help Get-BtceduMediaAsset -Examples' {
    It 'shows how to sum an episode''s image cost' {
        Get-Help Get-BtceduMediaAsset -Examples | Out-String -Width 250 |
            Should -Match ([regex]::Escape('Get-BtceduMediaAsset ep1 | Measure-Object CostUsd -Sum'))
    }
}
