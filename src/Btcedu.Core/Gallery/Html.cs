using System.Globalization;
using System.Text;

namespace Btcedu.Core.Gallery;

/// <summary>
/// HTML encoding for every text the gallery writes (chapter titles, prompts, errors, settings): the five characters
/// that matter in text and quoted attributes become entities; everything else, Turkish letters included, stays as it
/// is in UTF-8 (WebUtility.HtmlEncode would turn ç into &amp;#231;).
/// </summary>
internal static class Html
{
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\0': sb.Append('\uFFFD'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A relative URL made of path segments the gallery chose itself (ids, hashes), each percent-encoded.</summary>
    public static string Url(params string[] segments) =>
        Encode(string.Join('/', segments.Select(s => s is ".." ? s : Uri.EscapeDataString(s))));

    public static string Usd(decimal cost) => cost.ToString("$0.000", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
