using System.Reflection;
using System.Text.RegularExpressions;

using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests;

/// <summary>One list of kill points: the constants, their ordered list, and the cases the Pester kill-window sweep runs.</summary>
public sealed partial class KillPointsTests
{
    [Fact]
    public void The_list_holds_every_point_once()
    {
        var constants = typeof(KillPoints).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(constants.Order(StringComparer.Ordinal), KillPoints.All.Order(StringComparer.Ordinal));
        Assert.Equal(KillPoints.All.Count, KillPoints.All.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_kill_window_sweep_covers_every_point_in_order()
    {
        var cases = File.ReadAllText(Repo.File("tests", "KillWindow.Cases.ps1"));
        var list = PointList().Match(cases);
        Assert.True(list.Success, "tests/KillWindow.Cases.ps1 no longer lists its points as foreach ($point in '…', …)");

        var swept = Quoted().Matches(list.Groups[1].Value).Select(m => m.Groups[1].Value);

        Assert.Equal(KillPoints.All, swept);
    }

    [GeneratedRegex(@"foreach \(\$point in ([^)]*)\)")]
    private static partial Regex PointList();

    [GeneratedRegex("'([a-z-]+)'")]
    private static partial Regex Quoted();
}
