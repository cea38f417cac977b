# A btcedu.yaml of 2 MB (one long image_style_prefix): over the 1 MB a settings file may be.
param([Parameter(Mandatory)][string] $Path)
[IO.File]::WriteAllText($Path, 'image_style_prefix: ' + [string]::new([char]'x', 2MB) + "`n", [Text.UTF8Encoding]::new($false))
