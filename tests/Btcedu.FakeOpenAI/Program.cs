using System.Diagnostics;
using Btcedu.Core.Tests.Fakes;

// Usage: Btcedu.FakeOpenAI [--parent-pid N] [--tiny-images]
// Prints its base URL (…/v1) on the first line and a sample PNG's base64 on the second (for scripted
// image answers), then serves until stdin closes or the parent process exits.
// Defaults: the emulated images API (FakeImageApi, realistic 2–3 MB PNGs unless --tiny-images) and a short prompt
// for chat; tests script the rest over /_fake/.
var at = Array.IndexOf(args, "--parent-pid");
var parentPid = at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
FakeImageApi.TinyByDefault = args.Contains("--tiny-images");
await using var server = await FakeOpenAIServer.StartAsync();
var png = TestImages.Png(1536, 1024);
server.SetDefault(FakeOpenAIServer.ChatPath, FakeResponse.Chat("Flat vector illustration of linked blocks with orange accents, no text"));
Console.WriteLine(server.BaseUrl);
Console.WriteLine(Convert.ToBase64String(png));
Console.Out.Flush();

var stdinClosed = Task.Run(() => { while (Console.In.Read() >= 0) { } });
while (!stdinClosed.IsCompleted)
{
    if (parentPid is { } pid && !IsRunning(pid))
    {
        break;
    }
    await Task.WhenAny(stdinClosed, Task.Delay(500));
}

static bool IsRunning(int pid)
{
    try
    {
        using var p = Process.GetProcessById(pid);
        return !p.HasExited;
    }
    catch (ArgumentException)
    {
        return false;
    }
}
