namespace Btcedu.Core.Storage;

/// <summary>
/// A running pipeline_runs row's totals as of now. <see cref="CostUsd"/> is what was spent plus what is reserved
/// for calls in flight, so a kill at any moment leaves each of them counted at its reserved price.
/// </summary>
internal readonly record struct RunTotals(long RunId, long InputTokens, long OutputTokens, decimal CostUsd);
