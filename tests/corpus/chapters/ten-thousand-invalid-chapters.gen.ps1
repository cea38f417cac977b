# 10,000 chapters, each with an unknown visual type: 10,000 problems, which one error must report without a 10,000-line message.
param([Parameter(Mandatory)][string] $Path)
& (Join-Path $PSScriptRoot '../accepted/ten-thousand-chapters.gen.ps1') -Path $Path -VisualType painting
