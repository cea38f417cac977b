using Btcedu.Core.Imaging;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary><c>provenance/imagegen_provenance.json</c>: how the last run produced its outputs.</summary>
internal static class ProvenanceWriter
{
    public static Task WriteAsync(RunState run, IReadOnlyList<ImageGenChapterResult> results, TimeSpan duration)
    {
        var p = run.Plan;
        var settings = run.Services.Settings;
        int Count(ImageStatus s) => results.Count(r => r.Status == s);
        var provenance = new ImageGenProvenance
        {
            EpisodeId = run.EpisodeId,
            Timestamp = Timestamps.Format(run.Time.GetUtcNow()),
            PromptName = p.Template.Name,
            PromptVersion = p.PromptVersion.Version,
            PromptHash = p.Template.ContentHash,
            Model = p.Profile.Model,
            ModelParams = new Dictionary<string, object?>
            {
                ["size"] = p.Profile.Size,
                ["quality"] = p.Profile.Quality,
                ["style"] = p.Profile.Style,
                ["output_size"] = $"{ImageNormalizer.TargetWidth}x{ImageNormalizer.TargetHeight}",
                ["style_prefix"] = settings.ImageStylePrefix,
                ["llm_model"] = settings.LlmModel,
                ["llm_temperature"] = p.Template.Temperature,
                ["llm_max_tokens"] = p.Template.MaxTokens,
                ["throttle_limit"] = p.ThrottleLimit,
                ["max_episode_cost_usd"] = p.MaxCostUsd,
            },
            InputFiles = ["chapters.json", "prompts/imagegen.md"],
            InputContentHash = p.Chapters.ContentHash,
            OutputFiles = [.. results.Where(r => r.Path is not null).Select(r => run.Paths.RelativeToEpisode(run.EpisodeId, r.Path!)), "images/manifest.json"],
            InputTokens = run.InputTokens,
            OutputTokens = run.OutputTokens,
            CostUsd = run.Ledger.RunSpent,
            DurationSeconds = Math.Round(duration.TotalSeconds, 3),
            Chapters = new Dictionary<string, int>
            {
                ["total"] = p.Items.Count,
                ["generated"] = Count(ImageStatus.Generated),
                ["unchanged"] = Count(ImageStatus.Unchanged),
                ["skipped"] = Count(ImageStatus.Skipped),
                ["failed"] = Count(ImageStatus.Failed),
                ["cost_limited"] = Count(ImageStatus.CostLimited),
            },
            BatchId = run.BatchId,
        };
        return BtceduJson.WriteAsync(run.Paths.ImageGenProvenanceFile(run.EpisodeId), provenance);
    }
}
