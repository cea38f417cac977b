using Btcedu.Core.ImageGen;

namespace Btcedu.Core.Tests.ImageGen;

public sealed class CostLedgerTests
{
    [Fact]
    public void Reservations_never_pass_the_cap_counting_earlier_spending()
    {
        var ledger = new CostLedger(cap: 1.00m, spentBefore: 0.70m);

        Assert.Equal(0.20m, ledger.TryReserve(0.20m));
        Assert.Null(ledger.TryReserve(0.20m)); // 0.70 + 0.20 + 0.20 > 1.00
        Assert.True(ledger.Closed);
        Assert.Null(ledger.TryReserve(0.01m)); // closed: nothing is squeezed in out of order
    }

    [Fact]
    public void A_call_dearer_than_its_estimate_grows_the_later_reservations()
    {
        var ledger = new CostLedger(cap: 10m, spentBefore: 0m);

        var first = ledger.TryReserve(0.10m)!.Value;
        ledger.Settle(first, 0.25m); // the catalogue underestimated by 2.5x

        Assert.Equal(0.25m, ledger.TryReserve(0.10m));
        Assert.Equal(0.25m, ledger.RunSpent);
    }
}
