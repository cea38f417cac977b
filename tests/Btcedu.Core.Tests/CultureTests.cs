using System.Globalization;

namespace Btcedu.Core.Tests;

/// <summary>
/// The suite runs with tr-TR as the current culture (tests/run.ps1 and tr-TR.runsettings set LANG/LC_ALL),
/// where dotted/dotless i and the decimal comma expose culture-sensitive code. This fails if that stops.
/// </summary>
public class CultureTests
{
    [Fact]
    public void The_suite_runs_under_tr_TR()
    {
        Assert.Equal("tr-TR", CultureInfo.CurrentCulture.Name);
        Assert.Equal("ı", "I".ToLower(CultureInfo.CurrentCulture));
        Assert.Equal("0,5", 0.5m.ToString(CultureInfo.CurrentCulture));
    }
}
