using Btcedu.Core.Imaging;
using Btcedu.Core.Tests.Fakes;
using SkiaSharp;

namespace Btcedu.Core.Tests.Imaging;

public sealed class BrandCardTests
{
    private const string Turkish = "Ağ, İmza ve Şifreleme: Çözüm Öğütücü ıIiİ";

    [Fact]
    public void The_shipped_font_covers_every_Turkish_letter()
    {
        var font = Path.Combine(AppContext.BaseDirectory, "fonts", BrandCard.FontFile);
        using var typeface = SKTypeface.FromFile(font);

        Assert.NotNull(typeface);
        Assert.All("ğĞıIİiışŞçÇöÖüÜ", c => Assert.True(typeface.ContainsGlyph(c), $"no glyph for {c}"));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "fonts", "LICENSE-DejaVu.txt")));
    }

    [Theory]
    [InlineData(CardLayout.Title)]
    [InlineData(CardLayout.LowerThird)]
    public void A_plain_card_is_a_1920x1080_PNG_in_the_brand_colours_with_the_title_drawn(CardLayout layout)
    {
        var png = BrandCard.Render(Turkish, layout, null);
        var blank = BrandCard.Render(" ", layout, null);

        Assert.True(TestImages.IsPng(png));
        Assert.Equal((1920, 1080), TestImages.Size(png));
        Assert.Equal(BrandCard.Navy, TestImages.Pixel(png, 4, 4));
        Assert.NotEqual(png, blank); // the title put pixels on the card
        Assert.True(WhitePixels(png) > WhitePixels(blank) + 2000);
    }

    [Fact]
    public void A_template_is_scaled_to_cover_the_frame_and_the_title_drawn_over_it()
    {
        var template = TestImages.Solid(800, 600, 200, 30, 40);

        var png = BrandCard.Render("Başlık", CardLayout.Title, template);

        Assert.Equal((1920, 1080), TestImages.Size(png));
        Assert.Equal(new SKColor(200, 30, 40), TestImages.Pixel(png, 4, 4));
        Assert.Equal(new SKColor(200, 30, 40), TestImages.Pixel(png, 1915, 1075));
    }

    [Fact]
    public void A_very_long_title_stays_on_the_card()
    {
        var png = BrandCard.Render(string.Join(' ', Enumerable.Repeat("Merkeziyetsizlik", 40)) + new string('ş', 300), CardLayout.Title, null);

        Assert.Equal((1920, 1080), TestImages.Size(png));
        Assert.Equal(BrandCard.Navy, TestImages.Pixel(png, 4, 4));
    }

    private static int WhitePixels(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var count = 0;
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var p = bitmap.GetPixel(x, y);
                count += p.Red > 240 && p.Green > 240 && p.Blue > 240 ? 1 : 0;
            }
        }
        return count;
    }
}
