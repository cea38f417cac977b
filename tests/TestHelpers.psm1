# Shared by the Pester suites: fresh workspaces and a child pwsh, so each test starts from nothing.
$script:Repo = Split-Path $PSScriptRoot -Parent

function Get-RepoRoot { $script:Repo }

# Every workspace a test made, so that each manifest the suite's runs wrote is checked against the schema.
$script:Workspaces = [Collections.Generic.List[string]]::new()

function Assert-ManifestContract {
    <#
    Checks every images/manifest.json in the workspaces made so far against docs/schemas/image-manifest.schema.json
    (Test-Json: JsonSchema.Net) and for a byte-order mark, then forgets those workspaces. Called when the next
    workspace is made and when a file's fake server stops, so no manifest a Pester run wrote goes unchecked.
    #>
    $schema = Join-Path $script:Repo 'docs/schemas/image-manifest.schema.json'
    $bad = foreach ($root in $script:Workspaces) {
        foreach ($manifest in Get-ChildItem -LiteralPath $root -Recurse -File -Filter manifest.json -ErrorAction SilentlyContinue | Where-Object { $_.Directory.Name -eq 'images' }) {
            $bytes = [IO.File]::ReadAllBytes($manifest.FullName)
            if ($bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF) { "$($manifest.FullName): a byte-order mark"; continue }
            try { $null = Test-Json -Path $manifest.FullName -SchemaFile $schema -ErrorAction Stop }
            catch { "$($manifest.FullName): $($_.Exception.Message)" }
        }
    }
    $script:Workspaces.Clear()
    if ($bad) { throw "Manifests that break docs/schemas/image-manifest.schema.json:`n$($bad -join "`n")" }
}

function New-TestWorkspace {
    <# Creates an empty workspace root, points BTCEDU_ROOT at it and returns its path. #>
    Assert-ManifestContract
    $root = Join-Path ([IO.Path]::GetTempPath()) ("btcedu-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $root | Out-Null
    $script:Workspaces.Add($root)
    $env:BTCEDU_ROOT = $root
    $root
}

function New-PromptedEpisode {
    <#
    Imports an episode of four generated chapters of the demo sample (ch02, ch04, ch05, ch07) with their own image
    prompts (no LLM call), each naming the episode, so the fake's requests tell episodes apart. Returns the chapter ids.
    #>
    param([Parameter(Mandatory)][string] $EpisodeId, [Parameter(Mandatory)][string] $Directory)
    $doc = Get-Content -Raw (Join-Path $script:Repo 'data/samples/demo/chapters.json') | ConvertFrom-Json
    $chapters = @($doc.chapters | Where-Object chapter_id -in 'ch02', 'ch04', 'ch05', 'ch07')
    $chapters[0].visual.image_prompt = 'Mining rigs in a warehouse, cables, orange light'
    for ($i = 0; $i -lt $chapters.Count; $i++) {
        $chapters[$i].order = $i + 1
        $chapters[$i].visual.image_prompt += " ($EpisodeId)"
    }
    $doc.chapters = $chapters
    $doc.episode_id = $EpisodeId
    $doc.total_chapters = $chapters.Count
    $doc.estimated_duration_seconds = [int]($chapters.narration.estimated_duration_seconds | Measure-Object -Sum).Sum
    $file = Join-Path $Directory "$EpisodeId.json"
    $doc | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $file -Encoding utf8NoBOM
    Import-BtceduChapter -Path $file | Out-Null
    $chapters.chapter_id
}

function Get-Snapshot([string] $Root) {
    <# Every file's relative path and hash: two equal snapshots mean nothing was written. #>
    Get-ChildItem -LiteralPath $Root -Recurse -File |
        Where-Object { $_.Name -notmatch '-(wal|shm)$' } |
        ForEach-Object { '{0} {1}' -f [IO.Path]::GetRelativePath($Root, $_.FullName), (Get-FileHash -LiteralPath $_.FullName).Hash } |
        Sort-Object
}

function Invoke-ChildPwsh {
    <# Runs a script in a fresh pwsh (same PowerShell as this one) and returns its output lines. #>
    param([Parameter(Mandatory)][string] $Script, [hashtable] $Environment = @{})
    $saved = @{}
    foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    try {
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
        & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
    }
    finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
}

function Start-FakeOpenAI {
    <#
    Starts the loopback OpenAI-compatible server (tests/Btcedu.FakeOpenAI) and points OPENAI_BASE_URL at it. Its
    images are tiny flat PNGs unless -Realistic (2–3 MB photographic ones, as OpenAI's: the soak uses those).
    #>
    param([switch] $Realistic)
    $dll = Join-Path $script:Repo 'tests/Btcedu.FakeOpenAI/bin/Release/net10.0/Btcedu.FakeOpenAI.dll'
    if (-not (Test-Path $dll)) { throw "Build first: $dll is missing." }
    $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    $psi.ArgumentList.Add($dll); $psi.ArgumentList.Add('--parent-pid'); $psi.ArgumentList.Add("$PID")
    if (-not $Realistic) { $psi.ArgumentList.Add('--tiny-images') }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($psi)
    $baseUrl = $process.StandardOutput.ReadLine()
    if (-not $baseUrl) { throw 'The fake OpenAI server did not start.' }
    $png = $process.StandardOutput.ReadLine()
    $env:OPENAI_BASE_URL = $baseUrl
    $script:Fake = [pscustomobject]@{ Process = $process; BaseUrl = $baseUrl; Root = $baseUrl -replace 'v1/?$', ''; PngBase64 = $png }
    $script:Fake
}

function Stop-FakeOpenAI {
    if ($script:Fake) {
        $script:Fake.Process.StandardInput.Close()
        if (-not $script:Fake.Process.WaitForExit(3000)) { $script:Fake.Process.Kill() }
        $script:Fake = $null
    }
    Remove-Item Env:OPENAI_BASE_URL -ErrorAction SilentlyContinue
    Assert-ManifestContract
}

function Set-FakeResponse {
    <# Queues (or, with -Default, always serves) a response for images or chat. #>
    param(
        [ValidateSet('images', 'chat')][string] $Api = 'images',
        [int] $Status = 200,
        [string] $Body = '',
        # Answer with the server's sample image (e.g. to delay a successful answer).
        [switch] $Image,
        [int] $DelayMs = 0,
        [switch] $Default,
        [int] $Count = 1
    )
    $path = @{ images = '/v1/images/generations'; chat = '/v1/chat/completions' }[$Api]
    $verb = if ($Default) { 'default' } else { 'enqueue' }
    if ($Image) { $Body = @{ created = 1; data = @(@{ b64_json = $script:Fake.PngBase64 }) } | ConvertTo-Json -Compress -Depth 5 }
    $payload = @{ status = $Status; body = $Body; delayMs = $DelayMs } | ConvertTo-Json -Compress
    for ($i = 0; $i -lt $Count; $i++) {
        Invoke-RestMethod -Method Post -Uri "$($script:Fake.Root)_fake/$verb`?path=$path" -Body $payload -ContentType 'application/json' | Out-Null
    }
}

function Set-FakeImageApi {
    <# Configures the fake's emulation of today's images API: an images-per-minute limit, an exhausted quota, a required key. #>
    param([Nullable[int]] $ImagesPerMinute, [int] $WindowMs = 60000, [switch] $QuotaExhausted, [string] $QuotaCode = 'insufficient_quota', [string] $RequiredKey, [int] $LatencyMs = 0)
    $payload = @{ imagesPerMinute = $ImagesPerMinute; windowMs = $WindowMs; quotaExhausted = [bool]$QuotaExhausted; quotaCode = $QuotaCode; requiredKey = $RequiredKey; latencyMs = $LatencyMs } | ConvertTo-Json -Compress
    Invoke-RestMethod -Method Post -Uri "$($script:Fake.Root)_fake/images" -Body $payload -ContentType 'application/json' | Out-Null
}

function Set-FakeBatchApi {
    <# Configures the fake's Batch API: validation, run and cancel delays, expiry, prompts moderation blocks. #>
    param([int] $ValidationMs = 0, [int] $RunMs = 0, [int] $CancelMs = 0, [Nullable[int]] $ExpireMs, [string[]] $FailPrompts = @())
    $payload = @{ validationMs = $ValidationMs; runMs = $RunMs; cancelMs = $CancelMs; expireMs = $ExpireMs; failPrompts = @($FailPrompts) } | ConvertTo-Json -Compress
    Invoke-RestMethod -Method Post -Uri "$($script:Fake.Root)_fake/batches" -Body $payload -ContentType 'application/json' | Out-Null
}

function Get-FakeRequest {
    param([ValidateSet('images', 'chat')][string] $Api = 'images')
    $path = @{ images = '/v1/images/generations'; chat = '/v1/chat/completions' }[$Api]
    @(Invoke-RestMethod -Uri "$($script:Fake.Root)_fake/requests") | ForEach-Object { $_ } | Where-Object path -eq $path
}

function Invoke-BtceduSql {
    <#
    Queries a workspace's database with the SQLite library the module itself ships, taken from the module's own
    load context (so nothing else is loaded into the session), and returns the rows as objects.
    #>
    param([Parameter(Mandatory)][string] $Root, [Parameter(Mandatory)][string] $Query)
    $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Btcedu.Core' } | Select-Object -First 1
    if (-not $core) { throw 'Btcedu.Core is not loaded yet: run a Btcedu cmdlet first.' }
    $context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core)
    $sqlite = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new('Microsoft.Data.Sqlite'))
    $connection = [Activator]::CreateInstance($sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection', $true), [object[]]@("Data Source=$(Join-Path $Root 'data/btcedu.db');Pooling=False"))
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Query
        $reader = $command.ExecuteReader()
        try {
            while ($reader.Read()) {
                $row = [ordered]@{}
                for ($i = 0; $i -lt $reader.FieldCount; $i++) { $row[$reader.GetName($i)] = if ($reader.IsDBNull($i)) { $null } else { $reader.GetValue($i) } }
                [pscustomobject]$row
            }
        }
        finally { $reader.Dispose() }
    }
    finally { $connection.Dispose() }
}

function New-ImpostorAssembly {
    <#
    Compiles an assembly that takes a real dependency's name at a higher version (so a shared load context
    would hand it out instead of ours) and holds none of its types. Roslyn ships inside PowerShell.
    #>
    param([Parameter(Mandatory)][string] $Name, [Parameter(Mandatory)][string] $Path)
    $source = "[assembly: System.Reflection.AssemblyVersion(""99.0.0.0"")] namespace $Name { public static class Impostor { } }"
    $tree = [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree]::ParseText($source)
    $refs = [Microsoft.CodeAnalysis.MetadataReference[]]@(
        [Microsoft.CodeAnalysis.MetadataReference]::CreateFromFile([object].Assembly.Location)
        [Microsoft.CodeAnalysis.MetadataReference]::CreateFromFile((Join-Path ([IO.Path]::GetDirectoryName([object].Assembly.Location)) 'System.Runtime.dll')))
    $options = [Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions]::new([Microsoft.CodeAnalysis.OutputKind]::DynamicallyLinkedLibrary)
    $compilation = [Microsoft.CodeAnalysis.CSharp.CSharpCompilation]::Create($Name, [Microsoft.CodeAnalysis.SyntaxTree[]]@($tree), $refs, $options)
    $result = [Microsoft.CodeAnalysis.FileSystemExtensions]::Emit($compilation, $Path)
    if (-not $result.Success) { throw "could not compile the $Name impostor: $($result.Diagnostics -join '; ')" }
    $Path
}

Export-ModuleMember -Function New-PromptedEpisode, Set-FakeBatchApi, Set-FakeImageApi, Invoke-BtceduSql, New-ImpostorAssembly, Get-RepoRoot, New-TestWorkspace, Get-Snapshot, Invoke-ChildPwsh, Start-FakeOpenAI, Stop-FakeOpenAI, Set-FakeResponse, Get-FakeRequest
