using System.Text.RegularExpressions;

namespace Btcedu.Core.Gallery;

/// <summary>
/// The repository's gallery/ folder (template.html, gallery.css, gallery.js), copied beside Btcedu.Core at build.
/// The template's placeholders are filled in one pass, so text inserted into a page is never read as a placeholder.
/// </summary>
public sealed partial class GalleryTemplate
{
    public const string StylesheetName = "gallery.css";
    public const string ScriptName = "gallery.js";

    private GalleryTemplate(string page, byte[] stylesheet, byte[] script)
    {
        Page = page;
        Stylesheet = stylesheet;
        Script = script;
    }

    public string Page { get; }
    public byte[] Stylesheet { get; }
    public byte[] Script { get; }

    /// <summary>The folder shipped beside Core.</summary>
    public static string DefaultDirectory { get; } =
        ShippedFiles.PathOf("gallery");

    public static GalleryTemplate Load(string? directory = null)
    {
        directory ??= DefaultDirectory;
        try
        {
            return new GalleryTemplate(
                File.ReadAllText(Path.Combine(directory, "template.html")),
                File.ReadAllBytes(Path.Combine(directory, StylesheetName)),
                File.ReadAllBytes(Path.Combine(directory, ScriptName)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BtceduException("GalleryTemplateMissing", BtceduErrorKind.ResourceUnavailable,
                $"The gallery template in {directory} cannot be read ({e.Message}). Rebuild or reinstall the module.", directory, e);
        }
    }

    /// <summary>A page: <paramref name="title"/> is plain text (encoded here); <paramref name="content"/> is HTML built by the gallery.</summary>
    internal string Render(string title, string root, string kind, string content) =>
        Placeholder().Replace(Page, m => m.Groups[1].Value switch
        {
            "title" => Html.Encode(title),
            "root" => root,
            "kind" => kind,
            "content" => content,
            _ => m.Value,
        });

    [GeneratedRegex(@"\{\{(title|root|kind|content)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
