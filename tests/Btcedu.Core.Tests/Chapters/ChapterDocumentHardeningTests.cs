using System.Diagnostics;
using System.Text;
using Btcedu.Core.Chapters;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Chapters;

/// <summary>Hostile JSON and hostile paths (issue 11, items 12 and 13): path-level problems, never raw .NET exceptions.</summary>
public class ChapterDocumentHardeningTests
{
    private static IReadOnlyList<ChapterProblem> Problems(string text) =>
        Assert.Throws<ChapterDocumentException>(() => ChapterDocumentReader.Parse(Encoding.UTF8.GetBytes(text), "chapters.json")).Problems;

    private static string Valid() => ChapterJson.Text(ChapterJson.Valid());

    [Fact]
    public void Duplicate_keys_are_refused_with_their_path()
    {
        var text = Valid().Replace("\"title\": \"Bölüm 2: Işık ve Gölge\"", "\"title\": \"Bölüm 2\", \"title\": \"Başka\"", StringComparison.Ordinal);
        var p = Assert.Single(Problems(text));
        Assert.Equal("chapters[1].title", p.Path);
        Assert.Contains("more than once", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_top_level_key_is_refused_too()
    {
        var text = Valid().Replace("\"schema_version\": \"1.0\",", "\"schema_version\": \"1.0\", \"schema_version\": \"2.0\",", StringComparison.Ordinal);
        Assert.Equal("schema_version", Assert.Single(Problems(text)).Path);
    }

    [Fact]
    public void A_lone_surrogate_escape_is_a_path_level_problem()
    {
        var text = Valid().Replace("\"Bölüm 3: Işık ve Gölge\"", "\"Bölüm \\ud800 3\"", StringComparison.Ordinal);
        var p = Assert.Single(Problems(text));
        Assert.Equal("chapters[2].title", p.Path);
        Assert.Contains("lone surrogate", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_in_a_key_is_a_problem_too()
    {
        var text = Valid().Replace("\"notes\": null", "\"notes\": null, \"x\\udc00\": 1", StringComparison.Ordinal);
        Assert.Contains(Problems(text), p => p.Path == "chapters[0]" && p.Message.Contains("lone surrogate", StringComparison.Ordinal));
    }

    [Fact]
    public void Durations_that_overflow_when_summed_are_a_mismatch_not_an_overflow()
    {
        var json = ChapterJson.Valid(chapters: 2);
        json.Chapter(0)["narration"]!["estimated_duration_seconds"] = int.MaxValue;
        json.Chapter(1)["narration"]!["estimated_duration_seconds"] = int.MaxValue;
        json["estimated_duration_seconds"] = int.MaxValue;
        var p = Assert.Single(Problems(ChapterJson.Text(json)));
        Assert.Equal("estimated_duration_seconds", p.Path);
        Assert.Contains("4294967294", p.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void An_infinite_number_is_a_path_level_problem(string number)
    {
        var text = Valid().Replace("\"duration_seconds\": 5", $"\"duration_seconds\": {number}", StringComparison.Ordinal);
        var problems = Problems(text);
        Assert.Contains(problems, p => p.Path == "chapters[0].overlays[0].duration_seconds" && p.Message.Contains("finite", StringComparison.Ordinal));
    }

    [Fact]
    public void A_huge_integer_is_a_path_level_problem()
    {
        var text = Valid().Replace("\"word_count\": 8", "\"word_count\": 1e400", StringComparison.Ordinal);
        Assert.Contains(Problems(text), p => p.Path == "chapters[0].narration.word_count");
    }

    [Fact]
    public void Nesting_beyond_the_readers_depth_says_nested_too_deeply()
    {
        var text = Valid().Replace("\"notes\": null", "\"notes\": " + new string('[', 100) + new string(']', 100), StringComparison.Ordinal);
        var p = Assert.Single(Problems(text));
        Assert.Contains("nested too deeply", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_still_says_not_valid_json()
    {
        Assert.Contains("not valid JSON (line 1", Assert.Single(Problems("{ \"a\": ")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_is_named_as_a_directory()
    {
        using var temp = new TempWorkspace();
        var e = Assert.Throws<BtceduException>(() => ChapterDocumentReader.ReadFile(temp.Root));
        Assert.Equal("ChapterFileIsDirectory", e.ErrorId);
        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_is_refused_before_it_is_read()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // Reading /dev/zero never ends, so an answer at all proves it was refused before reading; no stopwatch needed.
        var e = Assert.Throws<BtceduException>(() => ChapterDocumentReader.ReadFile("/dev/zero"));
        Assert.Equal("ChapterFileNotRegular", e.ErrorId);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_blocking()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempWorkspace();
        var fifo = Path.Combine(temp.Root, "chapters.json");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var read = Task.Run(() => ChapterDocumentReader.ReadFile(fifo));
        var first = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.True(first == read, "reading the FIFO blocked");
        var e = await Assert.ThrowsAsync<BtceduException>(() => read);
        Assert.Equal("ChapterFileNotRegular", e.ErrorId);
    }

    [Fact]
    public void An_unreadable_file_is_a_read_error()
    {
        // /proc/self/mem is a regular file that fails on read (EIO) whoever reads it, root included.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var e = Assert.Throws<BtceduException>(() => ChapterDocumentReader.ReadFile("/proc/self/mem"));
        Assert.Equal("ChapterFileUnreadable", e.ErrorId);
        Assert.Equal(BtceduErrorKind.ReadError, e.Kind);
    }

    [Fact]
    public void A_file_over_the_cap_is_refused()
    {
        using var temp = new TempWorkspace();
        var file = temp.WriteFile("big.json", new byte[ChapterDocumentReader.MaxFileBytes + 10]);
        Assert.Contains("at most 5 MB", Assert.Throws<ChapterDocumentException>(() => ChapterDocumentReader.ReadFile(file)).Message, StringComparison.Ordinal);
    }
}
