using System.Text;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Workspace;

/// <summary>The hardening every reader of outside JSON shares: what JSON readers choke on or disagree about is a problem at a path.</summary>
public class StrictJsonTests
{
    private static (bool Parsed, List<string> Problems) Parse(string text, int maxDepth = 8)
    {
        var fields = new JsonFieldReader();
        using var document = StrictJson.Parse(Encoding.UTF8.GetBytes(text), maxDepth, fields);
        return (document is not null, fields.Problems.Select(p => p.Path.Length == 0 ? p.Message : $"{p.Path}: {p.Message}").ToList());
    }

    [Fact]
    public void Valid_json_parses_with_no_problems()
    {
        var (parsed, problems) = Parse("""{ "a": [1, { "b": "ü" }], "c": null }""");
        Assert.True(parsed);
        Assert.Empty(problems);
    }

    [Fact]
    public void Every_duplicate_key_is_reported_at_its_path()
    {
        var (parsed, problems) = Parse("""{ "a": 1, "a": 2, "list": [{ "k": 1 }, { "k": 1, "k": 2 }] }""");
        Assert.False(parsed);
        Assert.Equal(
        [
            "a: appears more than once in the same object; each key may appear once.",
            "list[1].k: appears more than once in the same object; each key may appear once.",
        ], problems);
    }

    [Fact]
    public void Keys_are_compared_exactly()
    {
        Assert.True(Parse("""{ "a": 1, "A": 2 }""").Parsed);
    }

    [Fact]
    public void A_lone_surrogate_in_a_value_or_a_key_is_a_problem_not_an_exception()
    {
        var (parsed, problems) = Parse("""{ "ok": "x", "s": "a\ud800b", "o": { "x": 1, "\udc00": 2 } }""");
        Assert.False(parsed);
        Assert.Equal(
        [
            "s: contains an invalid \\u escape (a lone surrogate such as \\ud800); escapes must form whole characters.",
            "o: key number 2 contains an invalid \\u escape (a lone surrogate); escapes must form whole characters.",
        ], problems);
    }

    [Fact]
    public void A_syntax_error_names_line_and_column()
    {
        var (parsed, problems) = Parse("{\n  \"a\": tru\n}");
        Assert.False(parsed);
        Assert.StartsWith("the file is not valid JSON (line 2, column ", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, true)]
    [InlineData(9, false)]
    public void Nesting_is_refused_just_past_the_limit(int levels, bool parsed)
    {
        var (ok, problems) = Parse(new string('[', levels) + new string(']', levels), maxDepth: 8);
        Assert.Equal(parsed, ok);
        if (!parsed)
        {
            Assert.Equal("the document is nested too deeply: more than 8 levels of objects and arrays (at byte 9).", Assert.Single(problems));
        }
    }

    [Fact]
    public void A_syntax_problem_stops_before_keys_are_checked()
    {
        var (_, problems) = Parse("""{ "a": 1, "a": 2 """);
        Assert.Single(problems);
    }
}
