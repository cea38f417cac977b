using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using Btcedu.Core.Gallery;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>
/// Writes the static review gallery (default: data/gallery/ of the workspace): one page per episode and the index.
/// Episodes from the pipeline are collected and exported together at the end, so the index is written once.
/// </summary>
[Cmdlet(VerbsData.Export, "BtceduGallery", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportBtceduGalleryCommand : BtceduCmdlet
{
    private readonly List<string> _episodes = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EpisodeIdCompleter))]
    public string[] EpisodeId { get; set; } = [];

    /// <summary>The gallery folder; default data/gallery/ of the workspace.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Opens the page (or the index, for several episodes) in the default browser, where there is one.</summary>
    [Parameter]
    public SwitchParameter Open { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var id in EpisodeId)
        {
            TryRun(() => _episodes.Add(Workspace.Episodes.Get(id).Id), id); // an unknown or invalid id is this item's error
        }
    }

    protected override void EndProcessing()
    {
        TryRun(() =>
        {
            var exporter = Workspace.GalleryExporter();
            var directory = Path is null ? exporter.DefaultDirectory : GetUnresolvedProviderPathFromPSPath(Path);
            var ids = _episodes.Distinct(StringComparer.Ordinal)
                .Where(id => ShouldProcess(GalleryExporter.PagePath(directory, id), "Export gallery page")).ToList();
            if (ids.Count == 0)
            {
                return;
            }
            var progress = new ProgressRecord(1, "Export-BtceduGallery", "Starting…");
            GalleryExport export;
            try
            {
                export = exporter.Export(ids, directory, p =>
                {
                    progress.PercentComplete = p.Total == 0 ? 100 : p.Done * 100 / p.Total;
                    progress.StatusDescription = string.Create(CultureInfo.InvariantCulture, $"{p.EpisodeId}: {p.Done}/{p.Total} images");
                    WriteProgress(progress);
                }, Cancellation);
            }
            catch (OperationCanceledException) when (Stopping)
            {
                return; // Ctrl+C: every file written so far is complete
            }
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            foreach (var failure in export.Failures)
            {
                WriteBtceduError(failure);
            }
            WriteVerbose(string.Create(CultureInfo.InvariantCulture,
                $"Gallery {export.Directory}: {export.Pages.Count} page(s), {export.FilesWritten} file(s) written, {export.ThumbnailsMade} thumbnail(s) made, {export.FilesPruned} unused file(s) removed; index {export.IndexPage}."));
            foreach (var page in export.Pages)
            {
                WriteObject(new FileInfo(page.Path));
            }
            if (Open && export.Pages.Count > 0)
            {
                OpenInBrowser(export.Pages.Count == 1 ? export.Pages[0].Path : export.IndexPage);
            }
        });
    }

    /// <summary>Never fails the command: with no desktop (a headless server, CI) it says where the page is instead.</summary>
    private void OpenInBrowser(string page)
    {
        var headless = OperatingSystem.IsLinux() && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
        if (headless)
        {
            WriteWarning($"No desktop to open a browser on; open {page} in a browser.");
            return;
        }
        try
        {
            using var _ = Process.Start(new ProcessStartInfo(page) { UseShellExecute = true });
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            WriteWarning($"No default browser could be started ({e.Message}); open {page} in a browser.");
        }
    }
}
