using System.Globalization;

namespace Btcedu.PowerShell.Tests;

public sealed class CultureTests
{
    [Fact]
    public void The_suite_runs_under_tr_TR_as_the_README_promises()
    {
        // tests/run.ps1 and tr-TR.runsettings set LANG/LC_ALL; without them this run would prove nothing about culture.
        Assert.Equal("tr-TR", CultureInfo.CurrentCulture.Name);
        using var host = new ModuleHost();
        Assert.Equal("tr-TR", host.Run("(Get-Culture).Name")[0].ToString());
        Assert.Equal("1,5", host.Run("(1.5).ToString()")[0].ToString());
    }
}
