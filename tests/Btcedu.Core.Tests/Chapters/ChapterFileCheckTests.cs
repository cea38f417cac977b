using System.Text;
using Btcedu.Core.Chapters;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Chapters;

/// <summary>The file and its encoding, checked before any JSON is read.</summary>
public class ChapterFileCheckTests
{
    [Theory]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}' }, "the file starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM.")]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'{', 0 }, "the file is UTF-16; save it as UTF-8 without BOM.")]
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'{' }, "the file is UTF-16; save it as UTF-8 without BOM.")]
    [InlineData(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}' }, "the file is not valid UTF-8 text; save it as UTF-8 without BOM.")]
    public void Encodings_other_than_utf8_without_bom_are_refused(byte[] bytes, string message)
    {
        var e = Assert.Throws<ChapterDocumentException>(() => ChapterFileCheck.CheckEncoding(bytes, "chapters.json"));
        var problem = Assert.Single(e.Problems);
        Assert.Equal(("", message), (problem.Path, problem.Message));
        Assert.Equal("InvalidChapterDocument", e.ErrorId);
    }

    [Fact]
    public void Utf8_with_turkish_letters_passes()
    {
        ChapterFileCheck.CheckEncoding(Encoding.UTF8.GetBytes("{\"title\": \"Işık ve Gölge, İstanbul\"}"), "chapters.json");
    }

    [Fact]
    public void A_regular_file_is_read_byte_for_byte()
    {
        using var temp = new TempWorkspace();
        byte[] bytes = [(byte)'{', 0xC4, 0xB1, (byte)'}', (byte)'\n'];
        Assert.Equal(bytes, ChapterFileCheck.Read(temp.WriteFile("chapters.json", bytes)));
    }

    [Fact]
    public void A_file_at_the_cap_is_read_and_one_past_it_is_refused()
    {
        using var temp = new TempWorkspace();
        Assert.Equal(ChapterFileCheck.MaxBytes, ChapterFileCheck.Read(temp.WriteFile("at.json", new byte[ChapterFileCheck.MaxBytes])).LongLength);
        var e = Assert.Throws<ChapterDocumentException>(() => ChapterFileCheck.Read(temp.WriteFile("past.json", new byte[ChapterFileCheck.MaxBytes + 1])));
        Assert.Equal("the file is 5.0 MB; a chapter document may be at most 5 MB.", Assert.Single(e.Problems).Message);
    }

    [Fact]
    public void A_directory_or_a_missing_file_has_its_own_error_id()
    {
        using var temp = new TempWorkspace();
        Assert.Equal("ChapterFileIsDirectory", Assert.Throws<BtceduException>(() => ChapterFileCheck.Read(temp.Root)).ErrorId);
        Assert.Equal("ChapterFileNotFound", Assert.Throws<BtceduException>(() => ChapterFileCheck.Read(Path.Combine(temp.Root, "none.json"))).ErrorId);
    }
}
