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
    public void Every_point_is_a_delivery_point_or_a_batch_point()
    {
        Assert.Equal(KillPoints.All, KillPoints.Delivery.Concat(KillPoints.Batch));
    }

    [Theory]
    [InlineData("KillWindow.Cases.ps1", "Delivery")]
    [InlineData("BatchKill.Cases.ps1", "Batch")]
    public void Each_sweep_covers_its_points_in_order(string casesFile, string points)
    {
        var cases = File.ReadAllText(Repo.File("tests", casesFile));
        var list = PointList().Match(cases);
        Assert.True(list.Success, $"tests/{casesFile} no longer lists its points as foreach ($point in '…', …)");

        var swept = Quoted().Matches(list.Groups[1].Value).Select(m => m.Groups[1].Value);

        Assert.Equal(points == "Batch" ? KillPoints.Batch : KillPoints.Delivery, swept);
    }

    [GeneratedRegex(@"foreach \(\$point in ([^)]*)\)")]
    private static partial Regex PointList();

    [GeneratedRegex("'([a-z-]+)'")]
    private static partial Regex Quoted();
}
