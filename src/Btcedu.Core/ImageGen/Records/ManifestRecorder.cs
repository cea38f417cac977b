using Btcedu.Core.OpenAi;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// The run's copy of the manifest, one entry per chapter in chapter order. Finished chapters go into the copy at
/// once; the file is rewritten (atomically) only now and then, because rewriting all n entries after each of n
/// images writes O(n²) bytes. A write is due when at least <see cref="MinInterval"/> has passed since the last
/// one and the entries waiting are at least 1/<see cref="Coalescing"/> of the manifest, so the manifest costs at
/// most <see cref="Coalescing"/> entries' worth of bytes per image however long the episode; the run always
/// writes at the end.
/// <para>
/// Crash safety does not depend on the file: an image is journaled (<see cref="DeliveryJournal"/>) before it
/// becomes visible, and its journal entry is dropped only after a manifest write that holds it, so a run killed
/// between writes leaves entries the next run adopts (rebuilding the manifest entry and the media_assets row).
/// </para>
/// </summary>
internal sealed class ManifestRecorder
{
    /// <summary>At most a few writes per second.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>A write waits for at least 1/16 of the manifest to have changed (one entry in a short episode).</summary>
    public const int Coalescing = 16;

    private readonly RunState _run;
    private readonly Dictionary<string, ManifestEntry> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private List<string> _waiting = [];
    private List<long> _journaled = [];
    private long _lastWrite;

    public ManifestRecorder(RunState run)
    {
        _run = run;
        foreach (var item in run.Plan.Items)
        {
            _entries[item.Chapter.ChapterId] = ManifestEntries.Initial(item);
        }
        _lastWrite = run.Time.GetTimestamp();
    }

    public ManifestEntry this[string chapterId]
    {
        get
        {
            lock (_gate)
            {
                return _entries[chapterId];
            }
        }
    }

    /// <summary>
    /// Puts a finished chapter into the manifest and the run's totals; <paramref name="journalId"/>, the chapter's
    /// delivery journal entry, is dropped once a manifest write holds the entry.
    /// </summary>
    /// <param name="outcome">For a failed chapter, how its call ended (its error's category follows from it).</param>
    public async Task<ImageGenChapterResult> RecordAsync(PlannedChapter item, ManifestEntry entry, decimal cost, int attempts = 0, long? journalId = null, ApiOutcome? outcome = null)
    {
        if (entry.Status != ImageStatus.Generated)
        {
            entry = entry with { CostUsd = cost }; // the entry describes this attempt, not the image kept from before
        }
        lock (_gate)
        {
            _entries[item.Chapter.ChapterId] = entry;
            _waiting.Add(item.Chapter.ChapterId);
            if (journalId is { } id)
            {
                _journaled.Add(id);
            }
        }
        _run.SaveTotals();
        if (entry.Status == ImageStatus.Failed)
        {
            await _run.Events.WriteAsync(new RunMessage($"{item.Chapter.ChapterId}: {entry.Error}", IsWarning: false)).ConfigureAwait(false);
        }
        return _run.Result(item, entry.Status, cost, entry.Error, entry.Reason ?? (entry.Status == ImageStatus.Generated ? item.Reason : null), attempts, outcome);
    }

    /// <summary>
    /// A chapter the stopped run did not finish keeps its entry, except that a prompt already paid for is kept for
    /// the next run (with the hash it was written for); the run's totals are saved.
    /// </summary>
    public void KeepPrompt(PlannedChapter item, string? prompt)
    {
        lock (_gate)
        {
            var current = _entries[item.Chapter.ChapterId];
            if (prompt is not null && current.Status != ImageStatus.Generated)
            {
                _entries[item.Chapter.ChapterId] = current with { Prompt = prompt, ChapterHash = item.ChapterHash };
                _waiting.Add(item.Chapter.ChapterId);
            }
        }
        _run.SaveTotals();
    }

    /// <summary>Puts an entry made without the API (a brand card) into the manifest; it is written with the next write.</summary>
    public void Put(PlannedChapter item, ManifestEntry entry)
    {
        lock (_gate)
        {
            _entries[item.Chapter.ChapterId] = entry;
            _waiting.Add(item.Chapter.ChapterId);
        }
    }

    /// <summary>Writes the manifest whenever a write is due, until <paramref name="stop"/>; the run writes the last one itself.</summary>
    public async Task WriteWhileRunningAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(MinInterval, _run.Time, stop).ConfigureAwait(false);
                if (IsWriteDue)
                {
                    await WriteAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing is lost: the journal keeps every image until a write succeeds, and the run's last write reports the error.
            await _run.Events.WriteAsync(new RunMessage($"The manifest could not be written during the run: {e.Message}", IsWarning: true), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the entries differ from the manifest the plan was made from (under the lock, so that copy is current).</summary>
    public bool DiffersFromDisk() =>
        _run.Plan.Manifest is null || !_run.Plan.Manifest.Images.SequenceEqual(Compose(Snapshot().Entries));

    /// <summary>Writes the manifest as it stands, then drops the journal entries it now holds.</summary>
    public async Task WriteAsync()
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var (entries, chapters, journaled) = Snapshot(take: true);
            await ManifestWriter.WriteAsync(_run.Paths, _run.EpisodeId, Compose(entries), _run.Time.GetUtcNow()).ConfigureAwait(false);
            foreach (var chapterId in chapters)
            {
                InternalHooks.KillPoint(KillPoints.AfterManifest, chapterId);
            }
            _run.Journal.Remove(journaled);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Completed from the files outside the lock: the stat calls would otherwise hold up the local stage.</summary>
    private IReadOnlyList<ManifestEntry> Compose(List<ManifestEntry> entries) =>
        ManifestWriter.Compose(_run.Paths, _run.EpisodeId, _run.Plan.Items.Select((item, i) => (item.Chapter, entries[i])));

    /// <summary>The coalescing rule: entries are waiting, they are at least 1/<see cref="Coalescing"/> of the manifest, and <see cref="MinInterval"/> has passed since the last write.</summary>
    internal bool IsWriteDue
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count > 0 && _waiting.Count * Coalescing >= _entries.Count && _run.Time.GetElapsedTime(_lastWrite) >= MinInterval;
            }
        }
    }

    private (List<ManifestEntry> Entries, List<string> Chapters, List<long> Journaled) Snapshot(bool take = false)
    {
        lock (_gate)
        {
            var entries = _run.Plan.Items.Select(i => _entries[i.Chapter.ChapterId]).ToList();
            var (chapters, journaled) = (_waiting, _journaled);
            if (take)
            {
                (_waiting, _journaled, _lastWrite) = ([], [], _run.Time.GetTimestamp());
            }
            return (entries, chapters, journaled);
        }
    }
}
