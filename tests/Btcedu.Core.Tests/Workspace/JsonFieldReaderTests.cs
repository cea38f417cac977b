using System.Text.Json;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Workspace;

/// <summary>The typed field reads every JSON reader shares: each failure is a problem at the field's path, never an exception.</summary>
public class JsonFieldReaderTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static string Single(JsonFieldReader fields) => $"{Assert.Single(fields.Problems).Path}: {fields.Problems[0].Message}";

    [Fact]
    public void A_problem_carries_the_full_path_of_its_field()
    {
        var fields = new JsonFieldReader();
        var visual = Json("""{ "type": 3 }""");
        Assert.Null(fields.String(visual, "chapters[2].visual", "type"));
        Assert.Equal("chapters[2].visual.type: must be a string, not the number 3.", Single(fields));
    }

    [Fact]
    public void Top_level_fields_have_no_leading_dot()
    {
        var fields = new JsonFieldReader();
        Assert.Null(fields.Int(Json("{}"), "", "total_chapters", min: 1));
        Assert.Equal("total_chapters: is required.", Single(fields));
    }

    [Fact]
    public void Problems_are_kept_in_the_order_the_fields_were_read()
    {
        var fields = new JsonFieldReader();
        var o = Json("""{ "a": null, "b": "  ", "c": 0 }""");
        fields.String(o, "x", "c");
        fields.String(o, "x", "a");
        fields.String(o, "x", "b");
        Assert.Equal(["x.c", "x.a", "x.b"], fields.Problems.Select(p => p.Path));
        Assert.Equal(["must be a string, not the number 0.", "is required.", "must not be empty."], fields.Problems.Select(p => p.Message));
    }

    [Theory]
    [InlineData("""{ "n": 7 }""", 1, 7, null)]
    [InlineData("""{ "n": 0 }""", 1, null, "n: must be at least 1, not 0.")]
    [InlineData("""{ "n": 1.5 }""", 1, null, "n: must be a whole number, not 1.5.")]
    [InlineData("""{ "n": 99999999999 }""", 1, null, "n: must be a whole number, not 99999999999.")]
    [InlineData("""{ "n": "7" }""", 1, null, "n: must be a number, not the string \"7\".")]
    public void Int_reads_whole_numbers_that_fit_and_meet_the_minimum(string json, int min, int? expected, string? problem)
    {
        var fields = new JsonFieldReader();
        Assert.Equal(expected, fields.Int(Json(json), "", "n", min));
        Assert.Equal(problem, fields.Problems.Count == 0 ? null : Single(fields));
    }

    [Fact]
    public void Seconds_refuses_numbers_no_double_can_hold()
    {
        var fields = new JsonFieldReader();
        Assert.Null(fields.Seconds(Json("""{ "s": 1e400 }"""), "o", "s"));
        Assert.Equal(2.5, fields.Seconds(Json("""{ "s": 2.5 }"""), "o", "s"));
        Assert.Equal("o.s: must be a finite number of seconds, not 1e400.", Single(fields));
    }

    [Fact]
    public void Optional_fields_may_be_missing_or_null_but_not_of_another_kind()
    {
        var fields = new JsonFieldReader();
        var o = Json("""{ "n": null, "s": "text", "a": [1], "bad": true }""");
        Assert.Null(fields.OptionalString(o, "", "missing"));
        Assert.Null(fields.OptionalString(o, "", "n"));
        Assert.Equal("text", fields.OptionalString(o, "", "s"));
        Assert.Null(fields.OptionalArray(o, "", "n"));
        Assert.Equal(1, fields.OptionalArray(o, "", "a")!.Value.GetArrayLength());
        Assert.Empty(fields.Problems);

        Assert.Null(fields.OptionalString(o, "", "bad"));
        Assert.Null(fields.OptionalArray(o, "", "s"));
        Assert.Equal(["bad: must be a string or null, not true.", "s: must be an array, not the string \"text\"."],
            fields.Problems.Select(p => $"{p.Path}: {p.Message}"));
    }

    [Fact]
    public void OneOf_compares_exactly()
    {
        var fields = new JsonFieldReader();
        var o = Json("""{ "in": "Fade", "out": "cut" }""");
        string[] allowed = ["fade", "cut"];
        Assert.Null(fields.OneOf(o, "t", "in", allowed));
        Assert.Equal("cut", fields.OneOf(o, "t", "out", allowed));
        Assert.Equal("t.in: 'Fade' is not one of fade, cut.", Single(fields));
    }

    [Fact]
    public void Long_strings_are_shortened_in_messages()
    {
        var text = new string('a', 100);
        var description = JsonFieldReader.Describe(Json($$"""{ "s": "{{text}}" }""").GetProperty("s"));
        Assert.Equal($"the string \"{new string('a', 40)}…\"", description);
    }

    [Fact]
    public void Item_paths_use_invariant_digits()
    {
        Assert.Equal("chapters[12]", JsonFieldReader.Item("chapters", 12));
        Assert.Equal("a.b", JsonFieldReader.Join("a", "b"));
        Assert.Equal("b", JsonFieldReader.Join("", "b"));
    }
}
