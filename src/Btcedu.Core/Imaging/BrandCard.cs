using SkiaSharp;

namespace Btcedu.Core.Imaging;

/// <summary>Where a brand card puts the chapter title.</summary>
public enum CardLayout
{
    /// <summary>A title card: the title large, in the middle.</summary>
    Title,
    /// <summary>A talking head: the title on a band in the lower third, the rest left to the presenter's frame.</summary>
    LowerThird,
}

/// <summary>
/// The 1920x1080 card a title card or talking head gets instead of an API image: the operator's template image (scaled
/// to cover the frame) or a plain card in the brand colours, with the chapter title drawn in DejaVu Sans Bold, which
/// covers Turkish (ğ ı İ ş ç ö ü) and ships with the module under its free licence (<c>fonts/</c> beside Core).
/// Made locally: no call, no cost.
/// </summary>
public static class BrandCard
{
    /// <summary>Bumped when the drawing changes, so every card is made again once.</summary>
    public const string Version = "card-1";

    public const string FontFile = "DejaVuSans-Bold.ttf";

    internal static readonly SKColor Navy = new(0x0B, 0x1F, 0x3A);
    internal static readonly SKColor Orange = new(0xF7, 0x93, 0x1A);

    private static readonly Lazy<SKTypeface> Typeface = new(() =>
    {
        var path = ShippedFiles.PathOf("fonts", FontFile);
        return SKTypeface.FromFile(path)
            ?? throw new BtceduException("BrandFontMissing", BtceduErrorKind.ObjectNotFound,
                $"The brand card font {path} is missing; reinstall the module.", path);
    });

    /// <summary>The card's PNG. <paramref name="template"/>, when given, is a PNG, JPEG or WebP the card is drawn on.</summary>
    public static byte[] Render(string title, CardLayout layout, byte[]? template) => Draw(title, layout, template).Png;

    /// <summary>The card's PNG and its gallery thumbnail, both from the one drawing.</summary>
    internal static (byte[] Png, byte[]? Thumbnail) Draw(string title, CardLayout layout, byte[]? template)
    {
        const int w = ImageNormalizer.TargetWidth, h = ImageNormalizer.TargetHeight;
        // Opaque: the card is cleared or covered whole, so the PNG is RGB (see PngEncoding).
        using var surface = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque))
            ?? throw new InvalidOperationException("SkiaSharp could not create a 1920x1080 surface.");
        var canvas = surface.Canvas;
        if (template is not null)
        {
            using var bitmap = ImageNormalizer.Decode(template);
            ImageNormalizer.DrawCover(canvas, bitmap);
        }
        else
        {
            canvas.Clear(Navy);
        }
        using var font = new SKFont(Typeface.Value, layout == CardLayout.Title ? 104 : 72) { Subpixel = true };
        using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var accent = new SKPaint { Color = Orange, IsAntialias = true };
        if (layout == CardLayout.Title)
        {
            var lines = Wrap(font, title, w - 320, maxLines: 4);
            var lineHeight = font.Spacing;
            var top = (h - lineHeight * lines.Count) / 2;
            canvas.DrawRect(SKRect.Create((w - 240) / 2f, top - 72, 240, 14), accent);
            for (var i = 0; i < lines.Count; i++)
            {
                canvas.DrawText(lines[i], w / 2f, top + lineHeight * i - font.Metrics.Ascent, SKTextAlign.Center, font, paint);
            }
        }
        else
        {
            var lines = Wrap(font, title, w - 400, maxLines: 2);
            var lineHeight = font.Spacing;
            var bandHeight = lineHeight * lines.Count + 80;
            var bandTop = h - 120 - bandHeight;
            using var band = new SKPaint { Color = new SKColor(0x16, 0x30, 0x57, 0xE6), IsAntialias = true }; // lighter than the plain card, so the band shows on it too
            canvas.DrawRect(SKRect.Create(0, bandTop, w - 240, bandHeight), band);
            canvas.DrawRect(SKRect.Create(0, bandTop, 24, bandHeight), accent);
            for (var i = 0; i < lines.Count; i++)
            {
                canvas.DrawText(lines[i], 96, bandTop + 40 + lineHeight * i - font.Metrics.Ascent, SKTextAlign.Left, font, paint);
            }
        }
        canvas.Flush();
        using var pixels = surface.PeekPixels();
        return (PngEncoding.Default.Encode(pixels), Thumbnailer.Make(pixels));
    }

    /// <summary>Greedy word wrap; a word wider than the line is cut, and text beyond the last line ends in an ellipsis.</summary>
    private static List<string> Wrap(SKFont font, string text, float width, int maxLines)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (font.MeasureText(candidate) <= width || line.Length == 0)
            {
                line = candidate;
            }
            else
            {
                lines.Add(line);
                line = word;
            }
        }
        if (line.Length > 0)
        {
            lines.Add(line);
        }
        for (var i = 0; i < lines.Count; i++)
        {
            lines[i] = Fit(font, lines[i], width, ellipsis: i == maxLines - 1 && lines.Count > maxLines);
        }
        return lines.Count > maxLines ? lines[..maxLines] : lines;
    }

    private static string Fit(SKFont font, string line, float width, bool ellipsis)
    {
        if (!ellipsis && font.MeasureText(line) <= width)
        {
            return line;
        }
        var cut = line;
        while (cut.Length > 1 && font.MeasureText(cut + "…") > width)
        {
            cut = cut[..^1];
        }
        return ellipsis || cut.Length < line.Length ? cut.TrimEnd() + "…" : line;
    }
}
