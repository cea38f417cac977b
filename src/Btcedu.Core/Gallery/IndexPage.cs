using System.Text;

namespace Btcedu.Core.Gallery;

/// <summary>The gallery's <c>index.html</c>: one row per episode with its status, image counts, cost and last run.</summary>
internal static class IndexPage
{
    public static string Render(GalleryTemplate template, IReadOnlyList<GalleryEpisode> episodes)
    {
        var sb = new StringBuilder();
        sb.Append("<header class=\"top\">\n<h1>Btcedu review gallery</h1>\n<p class=\"meta\">")
            .Append(Html.Number(episodes.Count)).Append(episodes.Count == 1 ? " episode" : " episodes").Append("</p>\n</header>\n<main>\n");
        sb.Append("<table class=\"episodes\">\n<thead><tr><th scope=\"col\">Episode</th><th scope=\"col\">Title</th><th scope=\"col\">Status</th>")
            .Append("<th scope=\"col\">Images</th><th scope=\"col\">Cost</th><th scope=\"col\">Last run</th></tr></thead>\n<tbody>\n");
        foreach (var e in episodes)
        {
            sb.Append("<tr><td><a href=\"").Append(Html.Url(e.Id, "index.html")).Append("\">").Append(Html.Encode(e.Id)).Append("</a></td><td>")
                .Append(Html.Encode(e.DocumentTitle ?? e.Episode.Title)).Append("</td><td>").Append(Html.Encode(e.Episode.Status.ToString())).Append("</td><td>");
            var counts = e.Counts().Select(c => $"{GalleryCard.Label(c.Status)} {Html.Number(c.Count)}").ToList();
            var stale = e.Cards.Count(c => c.Stale is not null);
            if (stale > 0)
            {
                counts.Add($"stale {Html.Number(stale)}");
            }
            sb.Append(counts.Count == 0 ? "none" : Html.Encode(string.Join(" \u00b7 ", counts))).Append("</td><td>").Append(Html.Usd(e.TotalCostUsd)).Append("</td><td>");
            sb.Append(e.LastRun is { } run ? $"{Html.Time(run.StartedAt)} ({Html.Encode(run.Status)})" : "never").Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</main>\n");
        return template.Render("Btcedu review gallery", "", "index", sb.ToString());
    }
}
