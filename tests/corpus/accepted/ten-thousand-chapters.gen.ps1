# A valid chapter document of 10,000 one-second chapters (2.5 MB, under the 5 MB limit): accepted as data.
param([Parameter(Mandatory)][string] $Path, [string] $VisualType = 'diagram')
$n = 10000
$sb = [Text.StringBuilder]::new()
[void]$sb.Append("{`"schema_version`":`"1.0`",`"episode_id`":`"tenk`",`"title`":`"10,000 bölüm`",`"total_chapters`":$n,`"estimated_duration_seconds`":$n,`"chapters`":[")
for ($i = 1; $i -le $n; $i++) {
    if ($i -gt 1) { [void]$sb.Append(',') }
    [void]$sb.Append("{`"chapter_id`":`"c$i`",`"title`":`"Bölüm $i`",`"order`":$i,`"narration`":{`"text`":`"Metin $i`",`"word_count`":2,`"estimated_duration_seconds`":1},")
    [void]$sb.Append("`"visual`":{`"type`":`"$VisualType`",`"description`":`"Şema $i`",`"image_prompt`":null},`"overlays`":[],`"transitions`":{`"in`":`"cut`",`"out`":`"cut`"},`"notes`":null}")
}
[void]$sb.Append(']}')
[IO.File]::WriteAllText($Path, $sb.ToString(), [Text.UTF8Encoding]::new($false))
