@{
    RootModule           = 'module/Btcedu.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c7d2e-8f3a-4a4e-9d61-3c1f2b7a9e14'
    Author               = 'Btcedu'
    CompanyName          = 'Btcedu'
    Copyright            = '(c) Btcedu. All rights reserved.'
    Description          = 'Image-generation stage of the Btcedu video pipeline: chapter documents in, traceable 1920x1080 images out, with idempotent runs, stale markers, a spending cap and a review gallery.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # The repository's docs/ folder (ProjectUri + blob/main/docs/); each cmdlet's online page (Get-Help -Online) is
    # HelpInfoURI + commands/<Cmdlet>.md, compiled into its help by build/Help.targets. ProjectUri is still a
    # placeholder: when the repository has its real address, change both lines and rebuild.
    HelpInfoURI          = 'https://btcedu.invalid/blob/main/docs/'
    FormatsToProcess     = @('module/Btcedu.Format.ps1xml')
    CmdletsToExport      = @(
        'Clear-BtceduStale'
        'Export-BtceduGallery'
        'Get-BtceduChapter'
        'Get-BtceduCostReport'
        'Get-BtceduEpisode'
        'Get-BtceduImageBatch'
        'Get-BtceduImageHistory'
        'Get-BtceduImageModel'
        'Get-BtceduMediaAsset'
        'Get-BtceduPromptVersion'
        'Get-BtceduPipelinePlan'
        'Get-BtceduStale'
        'Import-BtceduChapter'
        'Invoke-BtceduImageGen'
        'New-BtceduEpisode'
        'Receive-BtceduImageBatch'
        'Restore-BtceduImage'
        'Set-BtceduStale'
        'Stop-BtceduImageBatch'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Bitcoin', 'OpenAI', 'ImageGeneration', 'Pipeline', 'Video')
            ProjectUri = 'https://btcedu.invalid/'
        }
    }
}
