using System.Management.Automation;
using Btcedu.PowerShell.Completion;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Workspace;

namespace Btcedu.PowerShell.Commands;

/// <summary>Brings an earlier image of a chapter back from history; the image it replaces is kept in history, and render becomes stale.</summary>
[Cmdlet(VerbsData.Restore, "BtceduImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ImageRestore))]
public sealed class RestoreBtceduImageCommand : BtceduCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string EpisodeId { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ChapterIdCompleter))]
    public string ChapterId { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int Version { get; set; }

    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            // An exact id, refused as InvalidChapterId like every exact-id parameter (not looked up as ChapterNotFound).
            Identifier.Require(ChapterId, "chapter id");
            var stage = Workspace.ImageGenStage(ModulePaths.Prompts);
            var kept = stage.CheckRestore(EpisodeId, ChapterId, Version);
            if (!ShouldProcess($"chapter '{ChapterId}' of episode '{EpisodeId}' from history version {Version} ({kept.Model}, {kept.GeneratedAt:u})", "Restore image"))
            {
                return;
            }
            var restored = stage.Restore(EpisodeId, ChapterId, Version);
            if (restored.ReplacedKeptAs is { } replaced)
            {
                WriteVerbose($"The image it replaced is kept as history version {replaced}.");
            }
            if (restored.Pruned.Count > 0)
            {
                WriteVerbose($"History of '{ChapterId}' pruned to image_history_keep: deleted version(s) {string.Join(", ", restored.Pruned)}.");
            }
            if (!restored.UpToDate)
            {
                WriteWarning($"History version {Version} of '{ChapterId}' was made for an earlier version of the chapter (or its settings); the next Invoke-BtceduImageGen replaces it, and keeps it in history again.");
            }
            WriteObject(restored);
        }, EpisodeId);
    }
}
