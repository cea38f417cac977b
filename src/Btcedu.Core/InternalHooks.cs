using System.Diagnostics;

namespace Btcedu.Core;

/// <summary>
/// TEST-ONLY hooks (in the spirit of PSResourceGet's InternalHooks.cs): the one place that reads them, once per
/// process, from the environment. Unset, as in every real run, each hook does nothing.
/// <para>
/// <c>BTCEDU_TEST_KILL_AT=&lt;point&gt;:&lt;chapter-id&gt;</c> makes the process SIGKILL itself when an image run
/// reaches <see cref="KillPoint"/> for that chapter, so tests/KillWindow.Tests.ps1 can show what a kill at each
/// moment of an image's delivery leaves behind. A real kill, not an exception: no finally block, no flush, no
/// dispose runs, exactly as when an operator or the OOM killer ends the process.
/// </para>
/// </summary>
internal static class InternalHooks
{
    internal const string KillAtVariable = "BTCEDU_TEST_KILL_AT";

    private static readonly string? KillAt = Environment.GetEnvironmentVariable(KillAtVariable);

    /// <summary>
    /// Set by the xunit suite only: sees every manifest the module writes (its path and bytes), so that each one is
    /// validated against docs/schemas/image-manifest.schema.json. Null in every real run.
    /// </summary>
    internal static Action<string, byte[]>? ManifestWritten { get; set; }

    /// <summary>Dies here when the test asked for this point and chapter.</summary>
    internal static void KillPoint(string point, string chapterId)
    {
        if (KillAt is not null && string.Equals(KillAt, point + ":" + chapterId, StringComparison.Ordinal))
        {
            Process.GetCurrentProcess().Kill(); // SIGKILL on Unix, TerminateProcess on Windows
        }
    }
}

/// <summary>The named moments of one image's delivery where <see cref="InternalHooks.KillPoint"/> can end the process.</summary>
internal static class KillPoints
{
    /// <summary>The call's price is reserved and recorded; the call is not made yet.</summary>
    internal const string AfterIntent = "after-intent";
    /// <summary>The API answered with an image, held only in memory.</summary>
    internal const string AfterAnswer = "after-answer";
    /// <summary>The API's image is saved as delivered and journaled; the local stage has not decoded it yet.</summary>
    internal const string AfterAnswerSaved = "after-answer-saved";
    /// <summary>The delivery is journaled and its PNG staged beside the image; the image itself is not replaced yet.</summary>
    internal const string AfterDelivery = "after-delivery";
    /// <summary>The PNG is in place; no media_assets row or manifest entry records it yet.</summary>
    internal const string AfterPng = "after-png";
    /// <summary>The media_assets row is written; the run's copy of the manifest does not hold the image yet.</summary>
    internal const string AfterAssetRow = "after-asset-row";
    /// <summary>The run's copy of the manifest holds the image and its totals are saved; the manifest file is not written yet.</summary>
    internal const string AfterRecord = "after-record";
    /// <summary>A manifest write holds the image; the journal entry is not removed yet.</summary>
    internal const string AfterManifest = "after-manifest";

    /// <summary>Batch mode (the episode id stands for the chapter): the batch's intent is journaled; nothing is uploaded yet.</summary>
    internal const string SubmitAfterIntent = "submit-after-intent";
    /// <summary>The input file is uploaded; its id is not recorded yet (the next submit finds it by its name).</summary>
    internal const string SubmitAfterUpload = "submit-after-upload";
    /// <summary>The batch is created; its id is not recorded yet (the next submit finds it by its metadata).</summary>
    internal const string SubmitAfterCreate = "submit-after-create";
    /// <summary>The collect handed one result to the local stage and not the next.</summary>
    internal const string CollectMidFile = "collect-mid-file";
    /// <summary>Every result is placed; the run has not ended (manifest write, provenance, the row's end).</summary>
    internal const string CollectAfterImages = "collect-after-images";
    /// <summary>The run has ended; the batch is not yet marked collected.</summary>
    internal const string CollectBeforeSettle = "collect-before-settle";

    /// <summary>Every point of one image's delivery, in the order an image passes them: the kill-window sweep (tests/KillWindow.Cases.ps1) covers each.</summary>
    internal static readonly IReadOnlyList<string> Delivery =
        [AfterIntent, AfterAnswer, AfterAnswerSaved, AfterDelivery, AfterPng, AfterAssetRow, AfterRecord, AfterManifest];

    /// <summary>Every point of a batch's submit and collect, in order: the batch kill sweep (tests/BatchKill.Cases.ps1) covers each.</summary>
    internal static readonly IReadOnlyList<string> Batch =
        [SubmitAfterIntent, SubmitAfterUpload, SubmitAfterCreate, CollectMidFile, CollectAfterImages, CollectBeforeSettle];

    /// <summary>Every point (KillPointsTests: each constant once, each swept).</summary>
    internal static readonly IReadOnlyList<string> All = [.. Delivery, .. Batch];
}
