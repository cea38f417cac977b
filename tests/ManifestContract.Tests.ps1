$ErrorActionPreference = 'Stop'

# images/manifest.json as the render stage reads it: every chapter of chapters.json, the first entry of images[] with
# its chapter_id, the file at <episode folder>/<file_path>, the JSON read as UTF-8 with no byte-order mark. And every
# manifest these runs write validates against docs/schemas/image-manifest.schema.json (Test-Json: JsonSchema.Net).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Repo = Get-RepoRoot
    $script:Sample = Join-Path $Repo 'data/samples/demo/chapters.json'
    $script:Schema = Join-Path $Repo 'docs/schemas/image-manifest.schema.json'
    Import-Module (Join-Path $Repo 'Btcedu.psd1') -Force
    Start-FakeOpenAI | Out-Null
    $env:OPENAI_API_KEY = 'sk-pester-MANIFEST-1'

    function Read-AsRenderStage([string] $EpisodeId) {
        <# What the render stage does; returns the chapters it would skip, and throws where it would stop. #>
        $dir = Join-Path $Root "data/outputs/$EpisodeId"
        $bytes = [IO.File]::ReadAllBytes((Join-Path $dir 'images/manifest.json'))
        if ($bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF) { throw 'the manifest starts with a byte-order mark' }
        $manifest = [Text.UTF8Encoding]::new($false, $true).GetString($bytes) | ConvertFrom-Json
        $chapters = (Get-Content -Raw (Join-Path $dir 'chapters.json') | ConvertFrom-Json).chapters
        foreach ($chapter in $chapters) {
            $entry = @($manifest.images | Where-Object chapter_id -eq $chapter.chapter_id) | Select-Object -First 1
            if (-not $entry) { "$($chapter.chapter_id): no entry"; continue }
            # The renderer's path join raises a type error on anything but a string (a null stopped every render).
            if ($entry.file_path -isnot [string]) { throw "$($chapter.chapter_id): file_path is $($entry.file_path ?? 'null'), not a path" }
            $file = Join-Path $dir $entry.file_path
            if ($entry.status -notin 'failed', 'cost_limited' -and -not (Test-Path -LiteralPath $file)) { "$($chapter.chapter_id): $file missing" }
        }
    }
}

AfterAll {
    Stop-FakeOpenAI
    Remove-Item Env:BTCEDU_ROOT, Env:OPENAI_API_KEY -ErrorAction SilentlyContinue
}

Describe 'images/manifest.json, read by the render stage' {
    BeforeEach {
        $script:Root = New-TestWorkspace
        Import-BtceduChapter -Path $Sample | Out-Null
        $script:Manifest = Join-Path $Root 'data/outputs/demo/images/manifest.json'
    }

    It 'gives every chapter of an episode with every visual type a file, the cards at no cost and with no call' {
        $results = Invoke-BtceduImageGen demo
        Read-AsRenderStage demo | Should -BeNullOrEmpty
        Test-Json -Path $Manifest -SchemaFile $Schema | Should -BeTrue
        $cards = @($results | Where-Object VisualType -in 'title_card', 'talking_head')
        $cards.Count | Should -Be 2
        $cards.Status | Should -Be @('Skipped', 'Skipped')
        $cards.CostUsd | Should -Be @(0, 0)
        @(Get-FakeRequest).Count | Should -Be 10   # the generated types only
        $entries = (Get-Content -Raw $Manifest | ConvertFrom-Json).images
        ($entries | Where-Object chapter_id -in $cards.ChapterId).generation_method | Should -Be @('template', 'template')
        ($entries | Where-Object generation_method -eq 'api').Count | Should -Be 10
        $entries.chapter_title | Should -Contain 'Giriş'
    }

    It 'still reads when chapters failed or hit the cap, and the schema still holds' {
        Set-FakeResponse -Status 400 -Body '{"error":{"message":"blocked","type":"image_generation_user_error","code":"moderation_blocked"}}' -Count 2
        Invoke-BtceduImageGen demo -ThrottleLimit 1 -MaxCostUsd 0.2 -ErrorAction SilentlyContinue | Out-Null
        $entries = (Get-Content -Raw $Manifest | ConvertFrom-Json).images
        @($entries | Where-Object status -eq 'failed').Count | Should -BeGreaterThan 0
        @($entries | Where-Object status -eq 'cost_limited').Count | Should -BeGreaterThan 0
        ($entries | Where-Object status -eq 'failed').generation_method | Select-Object -Unique | Should -Be 'failed'
        $entries.file_path | Should -Not -Contain $null
        Read-AsRenderStage demo | Should -BeNullOrEmpty
        Test-Json -Path $Manifest -SchemaFile $Schema | Should -BeTrue
    }

    It 'after a restore the schema holds and only the restored chapter changed' {
        Invoke-BtceduImageGen demo | Out-Null
        Invoke-BtceduImageGen demo -ChapterId ch04 | Out-Null
        $before = (Get-Content -Raw $Manifest | ConvertFrom-Json).images
        Get-BtceduImageHistory demo -ChapterId ch04 | Select-Object -First 1 | Restore-BtceduImage -Confirm:$false | Out-Null
        $after = (Get-Content -Raw $Manifest | ConvertFrom-Json).images
        $after.chapter_id | Should -Be $before.chapter_id
        ($after | Where-Object chapter_id -eq 'ch04').restored_from_version | Should -Be 1
        Test-Json -Path $Manifest -SchemaFile $Schema | Should -BeTrue
        Read-AsRenderStage demo | Should -BeNullOrEmpty
    }

    It 'the schema refuses the manifest the render stage could not read' {
        Invoke-BtceduImageGen demo | Out-Null
        $json = Get-Content -Raw $Manifest | ConvertFrom-Json
        $json.images[0].file_path = $null
        $json | ConvertTo-Json -Depth 5 | Test-Json -SchemaFile $Schema -ErrorAction SilentlyContinue | Should -BeFalse
        { Read-AsRenderStage demo } | Should -Not -Throw   # the file on disk is still whole
        $whole = [IO.File]::ReadAllBytes($Manifest)
        $json | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $Manifest -Encoding utf8NoBOM
        { Read-AsRenderStage demo } | Should -Throw        # what stopped the render: a null path
        [IO.File]::WriteAllBytes($Manifest, $whole)         # (the suite checks every manifest left behind)
    }
}
