namespace Btcedu.Core.ImageGen;

/// <summary>
/// The episode's spending against its cap. Each paid call reserves its price before it starts and settles
/// after, so parallel calls can never together pass the cap. Once a reservation is refused the ledger stays
/// closed: the remaining chapters are cost-limited rather than squeezed in out of order.
/// </summary>
internal sealed class CostLedger
{
    private readonly object _gate = new();
    private readonly decimal _cap;
    private readonly decimal _spentBefore;
    private decimal _reserved;
    private decimal _spent;

    public CostLedger(decimal cap, decimal spentBefore)
    {
        _cap = cap;
        _spentBefore = spentBefore;
    }

    public bool Closed { get; private set; }

    public decimal RunSpent { get { lock (_gate) { return _spent; } } }

    public bool TryReserve(decimal amount)
    {
        lock (_gate)
        {
            if (Closed || _spentBefore + _spent + _reserved + amount > _cap)
            {
                Closed = true;
                return false;
            }
            _reserved += amount;
            return true;
        }
    }

    public void Settle(decimal reserved, decimal actual)
    {
        lock (_gate)
        {
            _reserved -= reserved;
            _spent += actual;
        }
    }
}
