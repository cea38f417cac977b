#Requires -Version 7.4
<#
.SYNOPSIS
    Lays out the built module as a folder that Publish-PSResource accepts: Btcedu/<files the module needs>.
.DESCRIPTION
    Run after `dotnet build -c Release`. Copies exactly what the module loads at run time: the manifest, the cmdlet
    assembly and Core with its dependencies (module/), the compiled help and the about topic (en-US/), and the
    prompt templates (prompts/). The model catalogue and the gallery template ship inside module/core/. Returns the
    folder. Publish it with:
        Publish-PSResource -Path (./build/New-ModuleLayout.ps1) -Repository PSGallery -ApiKey <key>
.PARAMETER Destination
    The parent folder; the layout is <Destination>/Btcedu (replaced when it exists). Default: artifacts/publish.
#>
[CmdletBinding()]
param([string] $Destination = (Join-Path (Split-Path $PSScriptRoot -Parent) 'artifacts/publish'))
$ErrorActionPreference = 'Stop'
$repo = Split-Path $PSScriptRoot -Parent
foreach ($built in 'module/Btcedu.PowerShell.dll', 'module/core/Btcedu.Core.dll', 'en-US/Btcedu.PowerShell.dll-Help.xml') {
    if (-not (Test-Path (Join-Path $repo $built))) { throw "Build first (dotnet build -c Release): $built is missing." }
}
$layout = Join-Path $Destination 'Btcedu'
if (Test-Path $layout) { Remove-Item $layout -Recurse -Force }
New-Item -ItemType Directory -Path $layout -Force | Out-Null
Copy-Item (Join-Path $repo 'Btcedu.psd1'), (Join-Path $repo 'README.md') $layout
foreach ($folder in 'module', 'en-US', 'prompts') {
    Copy-Item (Join-Path $repo $folder) (Join-Path $layout $folder) -Recurse
}
Test-ModuleManifest (Join-Path $layout 'Btcedu.psd1') | Out-Null
Get-Item $layout
