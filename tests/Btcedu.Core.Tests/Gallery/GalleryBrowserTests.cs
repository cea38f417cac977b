using Btcedu.Core.Tests.Support;
using System.Text.Json.Nodes;

namespace Btcedu.Core.Tests.Gallery;

/// <summary>The exported episode page in a real browser (headless Debian chromium), driven by the keyboard.</summary>
public sealed class GalleryBrowserTests
{
    [Fact]
    public async Task In_chromium_thumbnails_load_hostile_titles_stay_inert_and_the_viewer_works_from_the_keyboard()
    {
        using var f = new GalleryFixture();
        f.Export();
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.SendAsync("Page.enable");
        await browser.SendAsync("Page.addScriptToEvaluateOnNewDocument", new
        {
            source = "window.__alerts = []; window.alert = window.confirm = window.prompt = function (m) { window.__alerts.push(String(m)); };",
        });
        await browser.SendAsync("Page.navigate", new { url = new Uri(f.Page()).AbsoluteUri });
        await browser.WaitForAsync("document.readyState === 'complete' && document.getElementById('viewer')", "the page and gallery.js");

        // Every thumbnail loaded; the hostile titles are text and ran nothing.
        var widths = (await browser.EvalAsync("Array.from(document.querySelectorAll('a.thumb img')).map(i => i.complete ? i.naturalWidth : -1)"))!.AsArray();
        Assert.Equal([480, 480, 480], widths.Select(w => (int)w!));
        Assert.Equal(0, (int)(await browser.EvalAsync("window.__alerts.length"))!);
        Assert.Equal(1, (int)(await browser.EvalAsync("document.scripts.length"))!);
        Assert.Equal(GalleryFixture.ScriptTitle, (string?)await browser.EvalAsync("document.querySelector('#ch02 h2').childNodes[1].textContent"));
        Assert.Equal(GalleryFixture.TurkishTitle, (string?)await browser.EvalAsync("document.querySelector('#ch04 h2').childNodes[1].textContent"));

        // The script built the filters and copy buttons; a filter hides the other cards.
        Assert.False((bool)(await browser.EvalAsync("document.querySelector('form.filters').hidden"))!);
        Assert.Equal(4, (int)(await browser.EvalAsync("document.querySelectorAll('.command button.copy').length"))!);
        var shown = await browser.EvalAsync(
            "(() => { const s = document.getElementById('filter-status'); s.value = 'stale'; s.dispatchEvent(new Event('change')); " +
            "const ids = Array.from(document.querySelectorAll('.card')).filter(c => !c.hidden).map(c => c.id); " +
            "s.value = ''; s.dispatchEvent(new Event('change')); return ids.join(','); })()");
        Assert.Equal("ch04", (string?)shown);

        // The viewer, from the keyboard: Enter on a thumbnail, the full image, arrows, Tab kept inside, Escape.
        await browser.EvalAsync("document.querySelector('#ch02 > a.thumb').focus()");
        await browser.PressAsync("Enter", 13);
        await browser.WaitForAsync("!document.getElementById('viewer').hidden && document.querySelector('#viewer img').naturalWidth === 1984", "the full image of ch02 in the viewer");
        Assert.True((bool)(await browser.EvalAsync("document.getElementById('viewer').contains(document.activeElement)"))!);
        await browser.PressAsync("ArrowRight", 39);
        await browser.WaitForAsync("document.querySelector('#viewer img').naturalWidth === 1920", "the earlier version of ch02 (1920 wide)");
        Assert.Contains("version 1", (string?)await browser.EvalAsync("document.getElementById('viewer-caption').textContent"), StringComparison.Ordinal);
        await browser.PressAsync("ArrowLeft", 37);
        await browser.WaitForAsync("document.querySelector('#viewer img').naturalWidth === 1984", "back to ch02's current image");
        for (var i = 0; i < 5; i++)
        {
            await browser.PressAsync("Tab", 9, shift: i == 4);
            Assert.True((bool)(await browser.EvalAsync("document.getElementById('viewer').contains(document.activeElement)"))!, $"focus left the viewer after Tab {i + 1}");
        }
        await browser.PressAsync("Escape", 27);
        await browser.WaitForAsync("document.getElementById('viewer').hidden", "the viewer to close");
        Assert.Equal("ch02", (string?)await browser.EvalAsync("document.activeElement.closest('.card').id"));

        await SaveScreenshotAsync(browser);

        // With JavaScript off, each thumbnail is a plain link to the full image and nothing else was built.
        await browser.SendAsync("Emulation.setScriptExecutionDisabled", new { value = true });
        await browser.SendAsync("Page.reload");
        await browser.WaitForAsync("document.readyState === 'complete' && document.querySelectorAll('a.thumb img').length === 3", "the page without JavaScript");
        Assert.Null(await browser.EvalAsync("document.getElementById('viewer')"));
        Assert.True((bool)(await browser.EvalAsync("document.querySelector('form.filters').hidden"))!);
        var hrefs = (await browser.EvalAsync("Array.from(document.querySelectorAll('a.thumb')).map(a => a.href)"))!.AsArray();
        Assert.All(hrefs, h => Assert.Matches(@"^file:///.*/ep1/img/ch0[24]-[0-9a-f]{16}\.png$", (string)h!));
    }

    /// <summary>Kept as a test artifact in artifacts/test/ (tests/run.ps1 recreates that folder for every run).</summary>
    private static async Task SaveScreenshotAsync(HeadlessChromium browser)
    {
        var shot = await browser.SendAsync("Page.captureScreenshot", new { format = "png", captureBeyondViewport = true });
        var png = Convert.FromBase64String((string)shot["data"]!);
        Assert.True(png.Length > 1000);
        var artifacts = Repo.File("artifacts", "test");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllBytesAsync(Path.Combine(artifacts, "gallery-episode.png"), png);
    }
}
