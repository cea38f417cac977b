# A chapter document whose title is 10 MB of text: twice the 5 MB a chapter document may hold.
param([Parameter(Mandatory)][string] $Path)
$base = [IO.File]::ReadAllText((Join-Path $PSScriptRoot '../base.json'))
$title = [string]::new([char]'B', 10MB)
[IO.File]::WriteAllText($Path, $base.Replace('"title": "Bitcoin Nedir?"', '"title": "' + $title + '"'), [Text.UTF8Encoding]::new($false))
