using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The run's copy of the manifest, one entry per chapter in chapter order: every finished chapter is put in and the
/// file rewritten at once (atomically), with the run's totals, under one gate.
/// </summary>
internal sealed class ManifestRecorder
{
    private readonly RunState _run;
    private readonly Dictionary<string, ManifestEntry> _entries = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ManifestRecorder(RunState run)
    {
        _run = run;
        foreach (var item in run.Plan.Items)
        {
            _entries[item.Chapter.ChapterId] = ManifestEntries.Initial(item);
        }
    }

    public ManifestEntry this[string chapterId] => _entries[chapterId];

    /// <summary>Puts a finished chapter's entry into the manifest, writes it, and saves the run's totals.</summary>
    public async Task RecordAsync(string chapterId, ManifestEntry entry)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _entries[chapterId] = entry;
            await WriteAsync().ConfigureAwait(false);
            _run.SaveTotals();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A chapter the stopped run did not finish keeps its entry, except that a prompt already paid for is kept for
    /// the next run (with the hash it was written for); the run's totals are saved.
    /// </summary>
    public async Task KeepPromptAsync(PlannedChapter item, string? prompt)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var current = _entries[item.Chapter.ChapterId];
            if (prompt is not null && current.Status != ImageStatus.Generated)
            {
                _entries[item.Chapter.ChapterId] = current with { Prompt = prompt, ChapterHash = item.ChapterHash };
            }
            _run.SaveTotals();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether the entries differ from the manifest the plan was made from (under the lock, so that copy is current).</summary>
    public bool DiffersFromDisk() =>
        _run.Plan.Manifest is null || !_run.Plan.Manifest.Images.SequenceEqual(InOrder());

    public Task WriteAsync() =>
        BtceduJson.WriteAsync(_run.Paths.ManifestFile(_run.EpisodeId), new ImageManifest(_run.EpisodeId, ImageManifest.CurrentSchemaVersion,
            Timestamps.Format(_run.Time.GetUtcNow()), InOrder()));

    private List<ManifestEntry> InOrder() => [.. _run.Plan.Items.Select(i => _entries[i.Chapter.ChapterId])];
}
