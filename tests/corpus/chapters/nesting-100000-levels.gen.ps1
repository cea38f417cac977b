# A chapter document whose notes nest 100,000 arrays deep (200 KB): a reader that recurses would overflow its stack.
param([Parameter(Mandatory)][string] $Path)
$base = [IO.File]::ReadAllText((Join-Path $PSScriptRoot '../base.json'))
$deep = [string]::new([char]'[', 100000) + [string]::new([char]']', 100000)
[IO.File]::WriteAllText($Path, $base.Replace('"notes": null', '"notes": ' + $deep), [Text.UTF8Encoding]::new($false))
