using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Btcedu.Core.ImageGen;
using Btcedu.Core.Imaging;
using Btcedu.Core.Llm;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Tests.Fakes;
using Btcedu.Core.Tests.Support;
using Btcedu.Core.Workspace;
using Btcedu.Core.Composition;
using Btcedu.Core.Episodes;

namespace Btcedu.Core.Tests.ImageGen;

/// <summary>A workspace, an imported episode and the real OpenAI services pointed at a loopback fake server.</summary>
public sealed class StageHarness : IAsyncDisposable
{
    public const string Key = "sk-test-STAGE-SECRET-42";

    public static readonly OpenAIServiceOptions Fast = new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromSeconds(1),
        AttemptTimeout = TimeSpan.FromSeconds(5),
        OverallTimeout = TimeSpan.FromSeconds(10),
    };

    private StageHarness(TempWorkspace temp, FakeOpenAIServer server)
    {
        Temp = temp;
        Server = server;
    }

    public TempWorkspace Temp { get; }
    public FakeOpenAIServer Server { get; }
    public ConcurrentQueue<string> Log { get; } = new();
    public List<ImageGenEvent> Events { get; } = [];
    public Dictionary<string, string?> Environment { get; } = new();
    /// <summary>The services' resilience tuning: <see cref="Fast"/> unless a test shrinks the pace window too.</summary>
    public OpenAIServiceOptions Options { get; set; } = Fast;

    public static string PromptsDirectory { get; } = FindPrompts();

    public static async Task<StageHarness> StartAsync(JsonObject? document = null)
    {
        var server = await FakeOpenAIServer.StartAsync();
        var harness = new StageHarness(new TempWorkspace(), server);
        harness.Environment["OPENAI_BASE_URL"] = server.BaseUrl.ToString();
        harness.Environment["OPENAI_API_KEY"] = Key;
        server.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.Chat("Flat vector diagram of linked blocks, orange accents, no text"));
        harness.Import(document ?? Document());
        return harness;
    }

    /// <summary>Six chapters: ch01 title_card, ch02 diagram (LLM), ch03 b_roll (given prompt), ch04 screen_share (LLM), ch05 talking_head, ch06 diagram (given).</summary>
    public static JsonObject Document(int chapters = 6, Func<int, string>? type = null, Func<int, string?>? prompt = null)
    {
        string[] types = ["title_card", "diagram", "b_roll", "screen_share", "talking_head", "diagram"];
        var json = ChapterJson.Valid("ep1", chapters, type ?? (i => types[(i - 1) % types.Length]));
        for (var i = 1; i <= chapters; i++)
        {
            json.Chapter(i - 1)["visual"]!["image_prompt"] = prompt is null ? (i % 3 == 0 ? $"Verilen istem {i}: şeffaf bloklar" : null) : prompt(i);
        }
        return json;
    }

    public BtceduWorkspace Workspace => Temp.Open(Environment);

    public void Import(JsonObject document)
    {
        var file = Temp.WriteFile("incoming/chapters.json", ChapterJson.Text(document));
        var ws = Workspace;
        ws.Importer.Apply(ws.Importer.Plan(file, null));
    }

    public ImageGenStage Stage(BtceduWorkspace? ws = null) => (ws ?? Workspace).ImageGenStage(PromptsDirectory);

    /// <summary>
    /// A run through the entry point Invoke-BtceduImageGen uses: plan (what -WhatIf shows), prepare under the lock
    /// with that plan, and run with the workspace's OpenAI providers (or <paramref name="providers"/>) when there is work.
    /// </summary>
    public async Task<ImageGenSummary> StartRun(ImageGenSelection selection, System.Threading.Channels.ChannelWriter<ImageGenEvent> events, CancellationToken cancellationToken,
        BtceduWorkspace? ws = null, ImageGenProviders? providers = null)
    {
        try
        {
            ws ??= Workspace;
            var stage = Stage(ws);
            var plan = stage.Plan("ep1", selection);
            using var run = stage.Prepare("ep1", selection, plan);
            using var own = run.HasWork && providers is null ? ws.OpenAIProviders(Log.Enqueue, Options) : null;
            return await run.RunAsync(providers ?? own, events, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            events.TryComplete();
        }
    }

    public async Task<(ImageGenSummary Summary, List<ImageGenChapterResult> Results)> RunAsync(ImageGenSelection? selection = null, CancellationToken cancellationToken = default, BtceduWorkspace? ws = null)
    {
        var channel = Channel.CreateUnbounded<ImageGenEvent>();
        var run = StartRun(selection ?? new ImageGenSelection(), channel.Writer, cancellationToken, ws);
        var results = new List<ImageGenChapterResult>();
        await foreach (var e in channel.Reader.ReadAllAsync(CancellationToken.None))
        {
            Events.Add(e);
            if (e is ChapterCompleted c)
            {
                results.Add(c.Result);
            }
        }
        return (await run, results);
    }

    public IReadOnlyList<RecordedRequest> ImageRequests => Server.RequestsTo(FakeOpenAIServer.ImagesPath);
    public IReadOnlyList<RecordedRequest> ChatRequests => Server.RequestsTo(FakeOpenAIServer.ChatPath);

    public static string PromptOf(RecordedRequest r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("prompt").GetString()!;

    public string ImagesDir => Temp.Paths.ImagesDir("ep1");

    public JsonNode Manifest() => JsonNode.Parse(File.ReadAllText(Temp.Paths.ManifestFile("ep1")))!;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Temp.Dispose();
    }

    private static string FindPrompts()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "prompts", "imagegen.md");
            if (File.Exists(candidate))
            {
                return Path.GetDirectoryName(candidate)!;
            }
        }
        throw new InvalidOperationException("prompts/imagegen.md not found above the test assembly");
    }
}
