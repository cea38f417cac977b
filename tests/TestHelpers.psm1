# Shared by the Pester suites: fresh workspaces and a child pwsh, so each test starts from nothing.
$script:Repo = Split-Path $PSScriptRoot -Parent

function Get-RepoRoot { $script:Repo }

function New-TestWorkspace {
    <# Creates an empty workspace root, points BTCEDU_ROOT at it and returns its path. #>
    $root = Join-Path ([IO.Path]::GetTempPath()) ("btcedu-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $root | Out-Null
    $env:BTCEDU_ROOT = $root
    $root
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

Export-ModuleMember -Function Get-RepoRoot, New-TestWorkspace, Get-Snapshot, Invoke-ChildPwsh
