using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.Gallery;

/// <summary>The exported pages, parsed as HTML5: encoding, statuses, placeholders, commands, history and links.</summary>
public sealed class GalleryPageTests
{
    internal static IDocument Parse(string path) => new HtmlParser().ParseDocument(File.ReadAllText(path, Encoding.UTF8));

    [Fact]
    public void Hostile_titles_and_errors_stay_text_and_Turkish_is_written_as_UTF8()
    {
        using var f = new GalleryFixture();
        f.Export();
        var bytes = File.ReadAllBytes(f.Page());
        var doc = Parse(f.Page());

        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
        Assert.Equal("utf-8", doc.QuerySelector("meta[charset]")!.GetAttribute("charset"));
        var scripts = doc.QuerySelectorAll("script");
        Assert.Equal("../gallery.js", Assert.Single(scripts).GetAttribute("src"));
        Assert.Empty(doc.QuerySelectorAll("[onerror], [onload], [onclick]"));
        Assert.DoesNotContain(doc.QuerySelectorAll("img"), i => i.GetAttribute("src") == "x");
        var titles = doc.QuerySelectorAll(".card h2").Select(h => h.TextContent).ToList();
        Assert.Equal(["1" + "Bölüm 1: Işık ve Gölge", "2" + GalleryFixture.ScriptTitle, "3" + GalleryFixture.ImgTitle, "4" + GalleryFixture.TurkishTitle],
            titles.Take(4));
        Assert.Contains(GalleryFixture.FailedError, doc.QuerySelector("#ch03 .placeholder")!.TextContent, StringComparison.Ordinal);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("Çığ ve Şüphe: İstanbul&#39;da ağ {{content}}", text, StringComparison.Ordinal); // raw UTF-8, never &#231;
        Assert.Contains("ç ğ ı İ ö ş ü", doc.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Cards_follow_chapter_order_with_status_type_cost_prompt_and_the_regenerate_command()
    {
        using var f = new GalleryFixture();
        f.Export();
        var doc = Parse(f.Page());

        var cards = doc.QuerySelectorAll("li.card");
        Assert.Equal(["ch01", "ch02", "ch03", "ch04", "ch05", "ch06"], cards.Select(c => c.Id));
        Assert.Equal(["skipped", "generated", "failed", "unchanged", "skipped", "cost_limited"], cards.Select(c => c.GetAttribute("data-status")));
        Assert.Equal(["title_card", "diagram", "b_roll", "screen_share", "talking_head", "diagram"], cards.Select(c => c.GetAttribute("data-type")));
        Assert.Equal(["false", "false", "false", "true", "false", "false"], cards.Select(c => c.GetAttribute("data-stale")));
        Assert.Equal("stale", doc.QuerySelector("#ch04 .badge.stale")!.TextContent);
        Assert.Null(doc.QuerySelector("#ch02 .badge.stale"));
        Assert.Contains("brand template", doc.QuerySelector("#ch01 .placeholder")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("brand template", doc.QuerySelector("#ch05 .placeholder")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("cost-limited", doc.QuerySelector("#ch06 .status")!.TextContent);
        Assert.StartsWith("$0.105", doc.QuerySelector("#ch02 .cost")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("(estimated)", doc.QuerySelector("#ch04 .cost")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Blocks linked by hashes, version 2 <b>bold</b>", doc.QuerySelector("#ch02 details p")!.TextContent);
        Assert.Equal("Invoke-BtceduImageGen ep1 -ChapterId ch02", doc.QuerySelector("#ch02 .command code")!.TextContent);
        Assert.Null(doc.QuerySelector("#ch01 .command")); // a brand template is never generated
        Assert.Equal(["", "generated", "unchanged", "skipped", "failed", "cost_limited", "stale"],
            doc.QuerySelectorAll("#filter-status option").Select(o => o.GetAttribute("value")));
        Assert.True(doc.QuerySelector("form.filters")!.HasAttribute("hidden")); // gallery.js shows it
    }

    [Fact]
    public void Thumbnails_link_to_the_full_image_and_history_versions_show_beside_the_current_one()
    {
        using var f = new GalleryFixture();
        f.Export();
        var doc = Parse(f.Page());
        var dir = Path.GetDirectoryName(f.Page())!;

        var current = doc.QuerySelector("#ch02 > a.thumb")!;
        Assert.Equal(File.ReadAllBytes(f.ImageFile("ch02")), File.ReadAllBytes(Path.Combine(dir, current.GetAttribute("href")!)));
        var thumb = File.ReadAllBytes(Path.Combine(dir, current.QuerySelector("img")!.GetAttribute("src")!));
        Assert.Equal((480, 270), TestImages.Size(thumb));
        Assert.True(thumb[0] == 0xFF && thumb[1] == 0xD8, "a JPEG");
        var versions = doc.QuerySelectorAll("#ch02 .history li");
        var v1 = Assert.Single(versions);
        Assert.StartsWith("v1 · $0.042", v1.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("Blocks, version 1", v1.QuerySelector("details p")!.TextContent);
        Assert.Equal((1920, 1080), TestImages.Size(File.ReadAllBytes(Path.Combine(dir, v1.QuerySelector("a.thumb")!.GetAttribute("href")!))));
        Assert.Null(doc.QuerySelector("#ch03 a.thumb")); // failed without an image: a placeholder with the error
    }

    [Fact]
    public void Every_link_is_relative_and_resolves_to_a_file_inside_the_gallery()
    {
        using var f = new GalleryFixture();
        f.AddEpisode("ep2");
        f.Export("ep1", "ep2");
        var root = Path.GetFullPath(f.GalleryDir) + Path.DirectorySeparatorChar;

        var pages = Directory.EnumerateFiles(f.GalleryDir, "*.html", SearchOption.AllDirectories).ToList();
        Assert.Equal(3, pages.Count);
        foreach (var page in pages)
        {
            var doc = Parse(page);
            var links = doc.QuerySelectorAll("[href], [src]").Select(e => e.GetAttribute("href") ?? e.GetAttribute("src")!).ToList();
            Assert.NotEmpty(links);
            foreach (var link in links)
            {
                Assert.False(Uri.TryCreate(link, UriKind.Absolute, out _), $"{link} in {page} is absolute");
                Assert.False(link.StartsWith('/') || link.StartsWith('\\') || link.Contains(':', StringComparison.Ordinal), link);
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(link)));
                Assert.StartsWith(root, target, StringComparison.Ordinal);
                Assert.True(File.Exists(target), $"{link} in {page} does not resolve");
            }
        }
        var index = Parse(Path.Combine(f.GalleryDir, "index.html"));
        Assert.Equal(["ep1/index.html", "ep2/index.html"], index.QuerySelectorAll("tbody a").Select(a => a.GetAttribute("href")));
        var row = index.QuerySelector("tbody tr")!.TextContent;
        Assert.Contains("generated 1 · unchanged 1 · skipped 2 · failed 1 · cost-limited 1 · stale 1", row, StringComparison.Ordinal);
        Assert.Contains("$0.305", row, StringComparison.Ordinal);
        Assert.Contains("ç ğ ı İ ö ş ü", row, StringComparison.Ordinal);
    }
}
