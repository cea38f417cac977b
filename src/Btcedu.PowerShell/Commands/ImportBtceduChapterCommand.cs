using System.Collections.ObjectModel;
using System.Management.Automation;
using Btcedu.Core.Chapters;
using Btcedu.Core.Episodes;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>
/// Validates a chapter document and registers it as a v2 episode's chapters (status CHAPTERIZED).
/// A re-import with different content marks the episode's images and later outputs stale.
/// </summary>
[Cmdlet(VerbsData.Import, "BtceduChapter", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Episode))]
public sealed class ImportBtceduChapterCommand : BtceduCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The episode to import into; defaults to the document's own episode_id, and must equal it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string? EpisodeId { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var file in ResolveFiles())
        {
            TryRun(() =>
            {
                var plan = Workspace.Importer.Plan(file, EpisodeId);
                var action = plan.Kind switch
                {
                    ChapterImportKind.Created => "Import chapters (new episode)",
                    ChapterImportKind.Changed => "Import changed chapters (marks existing images and later outputs stale)",
                    _ => "Import chapters (unchanged)",
                };
                if (!ShouldProcess($"episode '{plan.EpisodeId}' from {file}", action))
                {
                    return;
                }
                var result = Workspace.Importer.Apply(plan);
                WriteVerbose($"{result.Kind}: episode '{plan.EpisodeId}', {plan.File.Document.Chapters.Count} chapters, {result.StaleMarkers.Count} outputs marked stale.");
                foreach (var marker in result.StaleMarkers)
                {
                    WriteVerbose($"Marked stale: {marker}");
                }
                WriteObject(result.Episode);
            }, file);
        }
    }

    private IEnumerable<string> ResolveFiles()
    {
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (var p in LiteralPath)
            {
                yield return GetUnresolvedProviderPathFromPSPath(p);
            }
            yield break;
        }
        foreach (var p in Path)
        {
            Collection<string>? resolved = null;
            ProviderInfo? provider = null;
            try
            {
                resolved = GetResolvedProviderPathFromPSPath(p, out provider);
            }
            catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
            {
                // Left empty: reported below with the same error as a pattern that matched nothing.
            }
            catch (WildcardPatternException e)
            {
                WriteBtceduError(new Core.BtceduException("InvalidPathPattern", Core.BtceduErrorKind.InvalidArgument,
                    $"'{p}' is not a valid wildcard pattern ({e.Message}); to name a file whose name holds [ or ], use -LiteralPath.", p));
                continue;
            }
            if (resolved is null || resolved.Count == 0)
            {
                // Silence here would look like success to a script; a name with [1] in it is a pattern to -Path.
                WriteBtceduError(new Core.BtceduException("ChapterFileNotFound", Core.BtceduErrorKind.ObjectNotFound,
                    WildcardPattern.ContainsWildcardCharacters(p)
                        ? $"No chapter document matches '{p}'. -Path treats * ? [ ] as wildcards; to name a file whose name holds them, use -LiteralPath."
                        : $"Chapter document '{p}' does not exist.", p));
                continue;
            }
            if (provider is not null && !string.Equals(provider.Name, "FileSystem", StringComparison.Ordinal))
            {
                WriteBtceduError(new Core.BtceduException("ChapterFileNotFound", Core.BtceduErrorKind.InvalidArgument,
                    $"'{p}' is not a file-system path (it is on the {provider.Name} provider); give the path of a chapters.json file.", p));
                continue;
            }
            foreach (var file in resolved)
            {
                yield return file;
            }
        }
    }
}
