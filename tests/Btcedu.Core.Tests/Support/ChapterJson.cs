using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Btcedu.Core.Tests.Support;

/// <summary>Builds valid chapter documents that a test then breaks in one specific way.</summary>
public static class ChapterJson
{
    private static readonly string[] Types = ["title_card", "diagram", "b_roll", "screen_share", "talking_head"];

    public static JsonObject Valid(string episodeId = "ep1", int chapters = 5, Func<int, string>? type = null)
    {
        var list = new JsonArray();
        for (var i = 1; i <= chapters; i++)
        {
            list.Add(new JsonObject
            {
                ["chapter_id"] = $"ch{i:00}",
                ["title"] = $"Bölüm {i}: Işık ve Gölge",
                ["order"] = i,
                ["narration"] = new JsonObject { ["text"] = $"Merhaba, bu {i}. bölüm: şifreleme, güvenlik ve İstanbul.", ["word_count"] = 8, ["estimated_duration_seconds"] = 30 },
                ["visual"] = new JsonObject { ["type"] = type?.Invoke(i) ?? Types[(i - 1) % Types.Length], ["description"] = $"Diagram number {i} of blocks linked by hashes", ["image_prompt"] = null },
                ["overlays"] = new JsonArray(new JsonObject { ["type"] = "lower_third", ["text"] = "Bitcoin Nedir?", ["start_offset_seconds"] = 2, ["duration_seconds"] = 5 }),
                ["transitions"] = new JsonObject { ["in"] = "fade", ["out"] = "cut" },
                ["notes"] = null,
            });
        }
        return new JsonObject
        {
            ["schema_version"] = "1.0",
            ["episode_id"] = episodeId,
            ["title"] = "Bitcoin Nedir? Ğ Ü Ş İ Ö Ç ı",
            ["total_chapters"] = chapters,
            ["estimated_duration_seconds"] = chapters * 30,
            ["chapters"] = list,
        };
    }

    public static string Text(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static JsonObject Chapter(this JsonObject document, int index) => (JsonObject)document["chapters"]![index]!;
}
