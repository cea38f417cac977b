$ErrorActionPreference = 'Stop'

# Issue 15 item 4: the bad-input corpus. Every case of tests/corpus/cases.psd1 runs against a fresh workspace (the demo
# episode registered) and must end in one clear error with its ErrorId and category, the failing input as target, no
# stack trace, and the workspace and database exactly as they were; or, for valid data, import and round-trip exactly.
# How to add a case: tests/corpus/README.md.

BeforeDiscovery {
    $script:Cases = (Import-PowerShellDataFile (Join-Path $PSScriptRoot 'corpus/cases.psd1')).Cases
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    $script:Corpus = Join-Path $PSScriptRoot 'corpus'
    $script:CorpusBase = Join-Path $Corpus 'base.json'

    # One workspace with the demo episode registered, copied for each case (faster than importing each time).
    $script:Template = New-TestWorkspace
    Import-BtceduChapter -Path (Join-Path $Repo 'data/samples/demo/chapters.json') | Out-Null
    # Generated inputs and documents built around an id live here, outside every workspace.
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('btcedu-corpus-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $Work | Out-Null
    $script:Generated = @{}

    function script:Get-CorpusInput([string] $File) {
        <# The path of a case's input: the committed file, or what its .gen.ps1 writes (once per run). #>
        if ($File -notlike '*.gen.ps1') { return Join-Path $Corpus $File }
        if (-not $Generated.ContainsKey($File)) {
            $out = Join-Path $Work (($File -replace '[\\/]', '-') -replace '\.gen\.ps1$', '.generated')
            & (Join-Path $Corpus $File) -Path $out
            $Generated[$File] = $out
        }
        $Generated[$File]
    }

    function script:New-CorpusDocument([string] $EpisodeId, [string] $ChapterId) {
        <# base.json with its episode_id or first chapter_id replaced (JSON-escaped), written outside the workspace. #>
        $text = [IO.File]::ReadAllText($CorpusBase)
        if ($PSBoundParameters.ContainsKey('EpisodeId')) {
            $text = $text.Replace('"episode_id": "corpus"', '"episode_id": ' + (ConvertTo-Json -InputObject $EpisodeId))
        }
        if ($PSBoundParameters.ContainsKey('ChapterId')) {
            $text = ([regex]'"chapter_id": "ch01"').Replace($text, '"chapter_id": ' + (ConvertTo-Json -InputObject $ChapterId), 1)
        }
        $path = Join-Path $Work ('doc-' + [guid]::NewGuid().ToString('N') + '.json')
        [IO.File]::WriteAllText($path, $text, [Text.UTF8Encoding]::new($false))
        $path
    }

    function script:Get-WorkspaceState([string] $Root) {
        <#
        Every file's relative path and SHA-256, the database file and any -wal/-shm included: the module closes its
        connections (no pooling), so a committed write has changed the database file's bytes, and one still held
        open has left a -wal file.
        #>
        $files = foreach ($f in [IO.Directory]::EnumerateFiles($Root, '*', [IO.SearchOption]::AllDirectories)) {
            'file {0} {1}' -f [IO.Path]::GetRelativePath($Root, $f), [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes($f)))
        }
        $files | Sort-Object
    }

    function script:Copy-Workspace([string] $From, [string] $To) {
        <# A copy of the template workspace (plain .NET: Copy-Item costs 100 ms a case). #>
        foreach ($f in [IO.Directory]::EnumerateFiles($From, '*', [IO.SearchOption]::AllDirectories)) {
            $target = Join-Path $To ([IO.Path]::GetRelativePath($From, $f))
            [void][IO.Directory]::CreateDirectory([IO.Path]::GetDirectoryName($target))
            [IO.File]::Copy($f, $target)
        }
    }

    function script:Get-DatabaseDump([string] $Root) {
        <# The schema and every row of every table: what a failed byte comparison reports, to say what changed. #>
        $objects = @(Invoke-BtceduSql -Root $Root -Query "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        foreach ($o in $objects) { "schema $($o.type) $($o.name): $($o.sql)" }
        foreach ($t in $objects | Where-Object type -eq 'table') {
            foreach ($row in Invoke-BtceduSql -Root $Root -Query "SELECT * FROM ""$($t.name)"" ORDER BY rowid") {
                "row $($t.name): $($row | ConvertTo-Json -Compress -Depth 2)"
            }
        }
    }

    $script:TemplateDump = @(Get-DatabaseDump $Template)

    function script:Get-ChapterFields($Chapters) {
        <# One line per chapter of every text the contract carries, for an exact comparison. #>
        foreach ($c in $Chapters) {
            @($c.ChapterId, $c.Title, $c.NarrationText, $c.VisualDescription, "$($c.ImagePrompt)", "$($c.Notes)") + @($c.Overlays | ForEach-Object Text) -join [char]0x1F
        }
    }
}

AfterAll {
    Remove-Item Env:BTCEDU_ROOT -ErrorAction SilentlyContinue
    if ($Work) { Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The bad-input corpus (tests/corpus)' {
    It 'declares at least 60 cases, each well formed, and uses every input file' {
        $Cases.Count | Should -BeGreaterOrEqual 60
        ($Cases.Name | Sort-Object -Unique).Count | Should -Be $Cases.Count -Because 'case names are unique'
        foreach ($case in $Cases) {
            Test-Path -LiteralPath (Join-Path $Corpus $case.File) | Should -BeTrue -Because "$($case.Name): $($case.File) exists"
            $case.Run | Should -Not -BeNullOrEmpty
            if (-not $case.Accepted) {
                $case.ErrorId | Should -MatchExactly '^[A-Z][A-Za-z]+$' -Because "$($case.Name) names a PascalCase ErrorId"
                $case.Category | Should -BeIn ([enum]::GetNames([System.Management.Automation.ErrorCategory]))
            }
        }
        $used = $Cases.File | ForEach-Object { $_ -replace '\\', '/' } | Sort-Object -Unique
        $inputs = Get-ChildItem -LiteralPath $Corpus -Recurse -File |
            ForEach-Object { [IO.Path]::GetRelativePath($Corpus, $_.FullName) -replace '\\', '/' } |
            Where-Object { $_ -notin 'README.md', 'cases.psd1' }
        $inputs | Where-Object { $_ -notin $used } | Should -BeNullOrEmpty -Because 'every input in tests/corpus is a case'
    }

    It '<Name>' -ForEach $Cases {
        $case = $_
        $root = Join-Path $Work ('ws-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
        Copy-Workspace $Template $root
        $env:BTCEDU_ROOT = $root
        $InputPath = Get-CorpusInput $case.File
        if ($case.Install) { Copy-Item -LiteralPath $InputPath -Destination (Join-Path $root $case.Install) }
        $InputText = if ($case.Run -match '\$InputText') { [IO.File]::ReadAllText($InputPath, [Text.UTF8Encoding]::new($false)) }
        $before = Get-WorkspaceState $root

        # The command as an operator would run it, collecting every error, terminating or not.
        $caseErrors = $null
        $caught = $null
        $command = [scriptblock]::Create("$($case.Run) -ErrorAction SilentlyContinue -ErrorVariable +caseErrors")
        try { $output = . $command } catch { $caught = $_ }
        # A terminating error reaches -ErrorVariable as the exception that carries it; the catch sees its record.
        $records = @(foreach ($e in @($caseErrors)) { if ($e -is [System.Management.Automation.ErrorRecord]) { $e } elseif ($e.ErrorRecord) { $e.ErrorRecord } })
        if ($caught -and -not ($records | Where-Object { [object]::ReferenceEquals($_.Exception, $caught.Exception) })) { $records += $caught }

        if ($case.Accepted) {
            $records | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty -Because 'valid data imports'
            $document = [Text.Json.JsonDocument]::Parse([ReadOnlyMemory[byte]][IO.File]::ReadAllBytes($InputPath), [Text.Json.JsonDocumentOptions]::new())
            try {
                $json = $document.RootElement
                $episodeId = $json.GetProperty('episode_id').GetString()
                $output.Id | Should -BeExactly $episodeId
                (Get-FileHash -LiteralPath (Join-Path $root "data/outputs/$episodeId/chapters.json")).Hash | Should -Be (Get-FileHash -LiteralPath $InputPath).Hash -Because 'the document is stored byte for byte'
                (Get-BtceduEpisode -EpisodeId $episodeId).Title | Should -BeExactly $json.GetProperty('title').GetString()
                $expected = foreach ($c in $json.GetProperty('chapters').EnumerateArray()) {
                    $n = $c.GetProperty('narration'); $v = $c.GetProperty('visual')
                    $notes = $c.GetProperty('notes')
                    $overlays = @($c.EnumerateObject() | Where-Object Name -eq 'overlays' | ForEach-Object { $_.Value.EnumerateArray() } | ForEach-Object { $_.GetProperty('text').GetString() })
                    @($c.GetProperty('chapter_id').GetString(), $c.GetProperty('title').GetString(), $n.GetProperty('text').GetString(),
                        $v.GetProperty('description').GetString(), "$($v.GetProperty('image_prompt').GetString())",
                        $(if ($notes.ValueKind -eq 'Null') { '' } else { $notes.GetString() })) + $overlays -join [char]0x1F
                }
                $chapters = @(Get-BtceduChapter -EpisodeId $episodeId)
                $chapters.Count | Should -Be @($expected).Count
                (Get-ChapterFields $chapters) -join [char]0x1E | Should -BeExactly ($expected -join [char]0x1E) -Because 'every text comes back exactly as written'
            }
            finally { $document.Dispose() }
            if ($chapters.Count -le 100) {
                # The same text goes on to plan an image run (prompt templates, hashes) without an error.
                Invoke-BtceduImageGen -EpisodeId $episodeId -WhatIf -ErrorAction SilentlyContinue -ErrorVariable planErrors 6>$null | Out-Null
                $planErrors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty
            }
            return
        }

        $records | ForEach-Object { "$($_.FullyQualifiedErrorId)" } | Should -HaveCount 1 -Because 'one input, one clear error'
        $e = $records[0]
        $e.FullyQualifiedErrorId | Should -BeLike "$($case.ErrorId),*"
        "$($e.CategoryInfo.Category)" | Should -Be $case.Category
        $e.TargetObject | Should -Not -BeNullOrEmpty -Because 'the error names the failing input'
        $e.Exception.GetType().FullName | Should -BeLike 'Btcedu.Core.*' -Because 'an expected failure, not an exception that escaped'
        $message = $e.Exception.Message
        foreach ($text in $message, $e.ErrorDetails.Message) {
            $text | Should -Not -Match '(?m)^\s+at \S' -Because 'no stack trace'
            $text | Should -Not -MatchExactly '\bSystem\.[A-Z]|\w+Exception\b' -Because 'no exception type names'
        }
        $message.Length | Should -BeLessThan 4096 -Because 'one readable message, however bad the input'
        if ($case.Message) { $message | Should -MatchExactly $case.Message }
        if ($case.NotMessage) { "$message $($e.ErrorDetails.Message) $($e.TargetObject)" | Should -Not -Match $case.NotMessage }
        $output | Should -BeNullOrEmpty -Because 'nothing is returned for bad input'

        $after = Get-WorkspaceState $root
        if (($after -join "`n") -cne ($before -join "`n")) {
            $rows = Compare-Object $TemplateDump @(Get-DatabaseDump $root) | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" }
            ($after -join "`n") | Should -BeExactly ($before -join "`n") -Because "bad input changes no file and no row (database changes: $($rows -join '; '))"
        }
        Remove-Item -LiteralPath $root -Recurse -Force
    }
}
