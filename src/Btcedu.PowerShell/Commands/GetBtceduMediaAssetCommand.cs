using System.Management.Automation;
using Btcedu.Core.Storage;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>Lists recorded assets (images) for episodes and chapters; -Missing lists those whose file is gone or changed size.</summary>
[Cmdlet(VerbsCommon.Get, "BtceduMediaAsset")]
[OutputType(typeof(MediaAsset))]
public sealed class GetBtceduMediaAssetCommand : BtceduCmdlet
{
    private IReadOnlyList<MediaAsset>? _all;

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[]? EpisodeId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ChapterIdCompleter))]
    public string[]? ChapterId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AssetType { get; set; }

    [Parameter]
    public SwitchParameter Missing { get; set; }

    protected override void ProcessRecord()
    {
        _all ??= Workspace.MediaAssets.List();
        foreach (var pattern in EpisodeId ?? ["*"])
        {
            if (!WildcardPattern.ContainsWildcardCharacters(pattern) && Workspace.Episodes.Find(pattern) is null)
            {
                WriteBtceduError(EpisodeStore.NotFound(pattern, Workspace.Episodes.FindOtherCase(pattern)));
                continue;
            }
            var episode = Wildcard(pattern);
            var chapters = (ChapterId ?? ["*"]).Select(Wildcard).ToList();
            foreach (var asset in _all)
            {
                if (episode.IsMatch(asset.EpisodeId)
                    && chapters.Any(c => c.IsMatch(asset.ChapterId ?? ""))
                    && (AssetType is null || AssetType.Contains(asset.AssetType, StringComparer.OrdinalIgnoreCase))
                    && (!Missing || IsMissing(asset)))
                {
                    WriteObject(asset);
                }
            }
        }
    }

    private static bool IsMissing(MediaAsset asset)
    {
        var file = new FileInfo(asset.Path);
        return !file.Exists || file.Length != asset.SizeBytes;
    }
}
