using System.Text;
using System.Text.Json.Nodes;
using Btcedu.Core.Chapters;
using Btcedu.Core.Prompts;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Workspace;

/// <summary>One spelling of "sha256:…" for every hash the module writes, so that they compare as strings.</summary>
public class ContentHashTests
{
    [Fact]
    public void It_is_sha256_in_lowercase_hex_with_its_prefix()
    {
        // FIPS 180-2's test vector for "abc".
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ContentHash.Of("abc"u8));
        Assert.Equal(ContentHash.Of("abc"u8), ContentHash.Of("abc"));
    }

    [Fact]
    public void Text_is_hashed_as_its_utf8_bytes()
    {
        Assert.Equal(ContentHash.Of(Encoding.UTF8.GetBytes("Işık ve Gölge")), ContentHash.Of("Işık ve Gölge"));
    }

    [Fact]
    public void The_chapter_file_and_the_prompt_template_hash_their_bytes_with_it()
    {
        using var temp = new TempWorkspace();
        var chapters = Encoding.UTF8.GetBytes(ChapterJson.Text(ChapterJson.Valid()));
        var read = ChapterDocumentReader.ReadFile(temp.WriteFile("chapters.json", chapters));
        Assert.Equal(ContentHash.Of(chapters), read.ContentHash);

        var template = "---\nname: t\nmodel: m\ntemperature: 0.2\nmax_tokens: 100\n---\nSystem text\n---user---\nUser {{ title }}\n";
        var loaded = PromptTemplate.Load(temp.WriteFile("t.md", template));
        Assert.Equal(ContentHash.Of(template), loaded.ContentHash);
    }

    [Fact]
    public void The_chapter_hash_has_the_same_shape()
    {
        var chapter = ChapterDocumentReader.Parse(Encoding.UTF8.GetBytes(ChapterJson.Text(ChapterJson.Valid())), "chapters.json").Chapters[0];
        var hash = ChapterHasher.Hash(chapter, new ImageHashInputs("style", "model", "1920x1088", "high", null, "sha256:t", "llm"));
        Assert.Matches("^sha256:[0-9a-f]{64}$", hash);
    }
}
