namespace Btcedu.Core.ImageGen;

/// <summary>
/// The episode's spending against its cap. Each paid call reserves its estimate before it starts and settles
/// after, so parallel calls can never together pass the cap. Once a reservation is refused the ledger stays
/// closed: the remaining chapters are cost-limited rather than squeezed in out of order. When a call costs more
/// than its estimate (the catalogue was wrong), later reservations grow by the worst ratio seen, so one wrong
/// estimate cannot overrun the cap call after call.
/// </summary>
internal sealed class CostLedger
{
    private readonly object _gate = new();
    private readonly decimal _cap;
    private readonly decimal _spentBefore;
    private decimal _reserved;
    private decimal _spent;
    private decimal _underestimate = 1m;

    /// <param name="spent">What the run's row already holds as spent (a batch's collect: its prompts and results settled before a kill).</param>
    public CostLedger(decimal cap, decimal spentBefore, decimal spent = 0)
    {
        _cap = cap;
        _spentBefore = spentBefore;
        _spent = spent;
    }

    public bool Closed { get; private set; }

    public decimal RunSpent { get { lock (_gate) { return _spent; } } }

    /// <summary>Spent plus every reservation not yet settled: what a kill right now would have to count.</summary>
    public decimal RunCommitted { get { lock (_gate) { return _spent + _reserved; } } }

    /// <summary>Reserves an estimate (grown by any underestimate seen); returns the amount to settle later, or null when the cap is reached.</summary>
    public decimal? TryReserve(decimal estimate)
    {
        lock (_gate)
        {
            var amount = estimate * _underestimate;
            if (Closed || _spentBefore + _spent + _reserved + amount > _cap)
            {
                Closed = true;
                return null;
            }
            _reserved += amount;
            return amount;
        }
    }

    /// <summary>Holds an amount reserved earlier, outside this ledger (a batch's requests at submit), until it is settled here.</summary>
    public void Hold(decimal reserved)
    {
        lock (_gate)
        {
            _reserved += reserved;
        }
    }

    public void Settle(decimal reserved, decimal actual)
    {
        lock (_gate)
        {
            _reserved -= reserved;
            _spent += actual;
            if (reserved > 0 && actual > reserved)
            {
                _underestimate = Math.Max(_underestimate, _underestimate * actual / reserved);
            }
        }
    }
}
