using Btcedu.Core.Storage;

namespace Btcedu.Core.ImageGen;

/// <summary>
/// A finished batch to collect: its row, its requests (with their reservations and states), and every line of its
/// output and error files by custom_id. A request with no line was expired or cancelled before it ran.
/// </summary>
internal sealed record BatchCollection(ImageBatchRow Batch, string FinalStatus, IReadOnlyList<ImageBatchRequestRow> Requests, IReadOnlyDictionary<string, BatchLineResult> Lines, decimal RowCostUsd)
{
    /// <summary>The request of a chapter, if the batch holds one.</summary>
    public ImageBatchRequestRow? RequestFor(string chapterId) => Requests.FirstOrDefault(r => r.ChapterId == chapterId);

    /// <summary>
    /// The collect's ledger over the batch's run row: what the row holds already as spent (the prompts, results a
    /// killed collect settled) and every pending request's reservation, which its result settles or releases. No cap:
    /// the submit reserved all of it.
    /// </summary>
    public CostLedger Ledger()
    {
        var pending = Requests.Where(r => r.State == ImageBatchRequestStates.Pending).Sum(r => r.ReservedUsd);
        var ledger = new CostLedger(decimal.MaxValue, 0, spent: RowCostUsd - pending);
        ledger.Hold(pending);
        return ledger;
    }
}
