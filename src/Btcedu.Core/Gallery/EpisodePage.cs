using System.Text;
using Btcedu.Core.Chapters;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;

namespace Btcedu.Core.Gallery;

/// <summary>
/// One episode's page (<c>{episode}/index.html</c>): a card per chapter in chapter order. Every text from the workspace
/// is encoded with <see cref="Html.Encode"/>; every link is relative and names a file the export wrote.
/// </summary>
internal static class EpisodePage
{
    public const string FilesFolder = "files";

    /// <param name="images">The gallery image of each card's current image and of each history version, by source path.</param>
    public static string Render(GalleryTemplate template, GalleryEpisode episode, IReadOnlyDictionary<string, GalleryImage> images)
    {
        var title = episode.DocumentTitle ?? episode.Episode.Title;
        var sb = new StringBuilder();
        sb.Append("<header class=\"top\">\n<nav><a href=\"../index.html\">\u2190 All episodes</a></nav>\n");
        sb.Append("<h1>").Append(Html.Encode(title)).Append(" <span class=\"id\">").Append(Html.Encode(episode.Id)).Append("</span></h1>\n");
        sb.Append("<p class=\"meta\">").Append(Html.Encode(episode.Episode.Status.ToString())).Append(" \u00b7 ")
            .Append(Html.Number(episode.Cards.Count)).Append(" chapters \u00b7 ").Append(Html.Usd(episode.TotalCostUsd)).Append(" for the current images");
        if (episode.LastRun is { } run)
        {
            sb.Append(" \u00b7 last run ").Append(Html.Time(run.StartedAt)).Append(" (").Append(Html.Encode(run.Status)).Append(')');
        }
        sb.Append("</p>\n");
        if (episode.Files.Count > 0)
        {
            sb.Append("<p class=\"files\">");
            sb.AppendJoin(" \u00b7 ", episode.Files.Select(f => $"<a href=\"{Html.Url(FilesFolder, f.Name)}\">{Html.Encode(f.Label)}</a>"));
            sb.Append("</p>\n");
        }
        if (episode.ChaptersStale is { } stale)
        {
            sb.Append("<p class=\"banner\"><span class=\"badge stale\">stale</span> chapters.json is stale (")
                .Append(Html.Encode(stale.InvalidatedBy)).Append("): ").Append(Html.Encode(stale.Reason)).Append("</p>\n");
        }
        sb.Append("</header>\n");
        if (episode.Cards.Count == 0)
        {
            sb.Append("<main><p class=\"empty\">This episode has no chapter document yet, so there are no images to review.</p></main>\n");
            return template.Render($"{title} \u2014 Btcedu gallery", "../", "episode", sb.ToString());
        }
        AppendFilters(sb, episode);
        sb.Append("<main>\n<ol class=\"grid\">\n");
        foreach (var card in episode.Cards)
        {
            AppendCard(sb, episode.Id, card, images);
        }
        sb.Append("</ol>\n</main>\n");
        return template.Render($"{title} \u2014 Btcedu gallery", "../", "episode", sb.ToString());
    }

    private static void AppendFilters(StringBuilder sb, GalleryEpisode episode)
    {
        // Shown by gallery.js: without JavaScript the filters could do nothing.
        sb.Append("<form class=\"filters\" hidden aria-label=\"Filter the chapters\">\n");
        sb.Append("<label>Status <select id=\"filter-status\"><option value=\"\">all</option>");
        foreach (var status in GalleryCard.Statuses.Where(s => episode.Cards.Any(c => c.Status == s)))
        {
            sb.Append("<option value=\"").Append(status).Append("\">").Append(GalleryCard.Label(status)).Append("</option>");
        }
        if (episode.Cards.Any(c => c.Stale is not null))
        {
            sb.Append("<option value=\"stale\">stale</option>");
        }
        sb.Append("</select></label>\n<label>Visual type <select id=\"filter-type\"><option value=\"\">all</option>");
        foreach (var type in Enum.GetValues<VisualType>().Where(t => episode.Cards.Any(c => c.Chapter.VisualType == t)))
        {
            sb.Append("<option value=\"").Append(type).Append("\">").Append(type).Append("</option>");
        }
        sb.Append("</select></label>\n<output id=\"filter-count\" aria-live=\"polite\"></output>\n</form>\n");
    }

    private static void AppendCard(StringBuilder sb, string episodeId, GalleryCard card, IReadOnlyDictionary<string, GalleryImage> images)
    {
        var c = card.Chapter;
        var heading = $"{Html.Number(c.Order)}. {c.Title}";
        sb.Append("<li class=\"card\" id=\"").Append(Html.Encode(c.ChapterId)).Append("\" data-status=\"").Append(card.Status)
            .Append("\" data-type=\"").Append(c.VisualType).Append("\" data-stale=\"").Append(card.Stale is null ? "false" : "true").Append("\">\n");
        var image = card.ImagePath is { } path ? images.GetValueOrDefault(path) : null;
        // A skipped chapter shows its file only when it is its brand card (not a leftover image of another type).
        if (image is not null && (card.Status != "skipped" || card.Entry?.GenerationMethod == GenerationMethod.Template))
        {
            AppendThumb(sb, image, $"Chapter {heading}", heading);
        }
        else
        {
            sb.Append("<div class=\"placeholder ").Append(card.Status).Append("\">").Append(Html.Encode(Placeholder(card))).Append("</div>\n");
        }
        sb.Append("<h2><span class=\"num\">").Append(Html.Number(c.Order)).Append("</span>").Append(Html.Encode(c.Title)).Append("</h2>\n");
        sb.Append("<p class=\"badges\"><span class=\"badge type\">").Append(c.VisualType).Append("</span> <span class=\"badge status status-")
            .Append(card.Status).Append("\">").Append(GalleryCard.Label(card.Status)).Append("</span>");
        if (card.Stale is { } stale)
        {
            sb.Append(" <span class=\"badge stale\" title=\"").Append(Html.Encode($"{stale.InvalidatedBy}: {stale.Reason}")).Append("\">stale</span>");
        }
        sb.Append("</p>\n");
        if (card.Entry is { } entry)
        {
            sb.Append("<p class=\"cost\">").Append(Html.Usd(entry.CostUsd)).Append(entry.CostEstimated ? " (estimated)" : "");
            if (entry.Model is { } model)
            {
                sb.Append(" \u00b7 ").Append(Html.Encode(model));
            }
            sb.Append("</p>\n");
            if (entry.Error is { } error && image is not null)
            {
                sb.Append("<p class=\"error\">").Append(Html.Encode(error)).Append("</p>\n");
            }
            if (entry.Reason is { } reason && card.Status is "generated" or "unchanged")
            {
                sb.Append("<p class=\"cost\">").Append(Html.Encode(reason)).Append("</p>\n");
            }
            AppendPrompt(sb, entry.RevisedPrompt is null ? entry.Prompt : $"{entry.Prompt}\n\nRevised by the model: {entry.RevisedPrompt}");
        }
        if (c.VisualType.IsGenerated())
        {
            sb.Append("<div class=\"command\"><code>").Append(Html.Encode(RegenerateCommand(episodeId, c.ChapterId))).Append("</code></div>\n");
        }
        AppendHistory(sb, card, images);
        sb.Append("</li>\n");
    }

    private static void AppendHistory(StringBuilder sb, GalleryCard card, IReadOnlyDictionary<string, GalleryImage> images)
    {
        var shown = card.History.Where(v => images.ContainsKey(v.Path)).ToList();
        if (shown.Count == 0)
        {
            return;
        }
        sb.Append("<section class=\"history\" aria-label=\"Earlier versions\">\n<h3>Earlier versions</h3>\n<ol>\n");
        foreach (var v in shown)
        {
            var label = $"{card.Chapter.Order}. {card.Chapter.Title}, version {v.Version}";
            sb.Append("<li>");
            AppendThumb(sb, images[v.Path], $"Chapter {label}", label);
            sb.Append("v").Append(Html.Number(v.Version)).Append(" \u00b7 ").Append(Html.Usd(v.CostUsd));
            if (v.Model is { } model)
            {
                sb.Append(" \u00b7 ").Append(Html.Encode(model));
            }
            sb.Append("<br>kept ").Append(Html.Time(v.ArchivedAt)).Append('\n');
            AppendPrompt(sb, v.Prompt);
            sb.Append("</li>\n");
        }
        sb.Append("</ol>\n</section>\n");
    }

    private static void AppendThumb(StringBuilder sb, GalleryImage image, string alt, string caption) =>
        sb.Append("<a class=\"thumb\" href=\"").Append(Html.Encode(image.Full)).Append("\" data-caption=\"").Append(Html.Encode(caption))
            .Append("\"><img src=\"").Append(Html.Encode(image.Thumbnail)).Append("\" width=\"").Append(Thumbnailer.Width)
            .Append("\" height=\"").Append(Thumbnailer.Height).Append("\" alt=\"").Append(Html.Encode(alt)).Append("\"></a>\n");

    private static void AppendPrompt(StringBuilder sb, string? prompt)
    {
        if (!string.IsNullOrEmpty(prompt))
        {
            sb.Append("<details><summary>Prompt</summary><p>").Append(Html.Encode(prompt)).Append("</p></details>\n");
        }
    }

    private static string Placeholder(GalleryCard card) => card.Status switch
    {
        "skipped" => $"{card.Chapter.VisualType}: comes from a brand template; no image is generated for it.",
        "failed" => $"Failed: {card.Entry?.Error ?? card.Entry?.Reason ?? "no error recorded"}",
        "cost_limited" => $"Not generated: the spending cap was reached. {card.Entry?.Reason}".TrimEnd(),
        _ when card.ImagePath is not null => "The image file cannot be read.",
        _ when !card.Chapter.VisualType.IsGenerated() => $"{card.Chapter.VisualType}: comes from a brand template; no image is generated for it.",
        _ => "No image yet: run the command below.",
    };

    /// <summary>The exact command that regenerates one chapter (ids are validated: no quoting is ever needed).</summary>
    public static string RegenerateCommand(string episodeId, string chapterId) => $"Invoke-BtceduImageGen {episodeId} -ChapterId {chapterId}";
}
