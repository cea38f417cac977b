using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Btcedu.Core.Tests.Gallery;

/// <summary>
/// Debian's chromium, headless, driven over the DevTools protocol on one page's WebSocket: commands are sent one at a
/// time and events are ignored. Absent chromium is a failure with the command that installs it, never a skip.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static async Task<HeadlessChromium> StartAsync()
    {
        Assert.True(File.Exists(Executable),
            $"{Executable} is missing: the gallery's browser test needs Debian's chromium (tests/run.ps1 installs it as root on Debian; else: apt-get update && apt-get install -y chromium).");
        var profile = Path.Combine(Path.GetTempPath(), "btcedu-chromium-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
            "--window-size=1400,1000", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private async Task ConnectAsync()
    {
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? port = null;
        while (port is null)
        {
            Assert.False(_process.HasExited, $"chromium exited at start (exit code {(_process.HasExited ? _process.ExitCode : 0)}).");
            Assert.True(DateTime.UtcNow < deadline, "chromium did not open its DevTools port within 30 s.");
            try
            {
                port = File.Exists(portFile) ? File.ReadAllLines(portFile).FirstOrDefault(l => l.Length > 0) : null;
            }
            catch (IOException)
            {
            }
            await Task.Delay(100);
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = targets.First(t => (string?)t!["type"] == "page")!;
        await _socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), Timeout());
    }

    /// <summary>Sends one command and returns its result; a protocol error fails the test.</summary>
    public async Task<JsonNode> SendAsync(string method, object? parameters = null)
    {
        var id = ++_nextId;
        var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(message, WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await _socket.ReceiveAsync(buffer, timeout.Token);
                received.Write(buffer, 0, part.Count);
            }
            while (!part.EndOfMessage);
            var reply = JsonNode.Parse(Encoding.UTF8.GetString(received.ToArray()))!;
            if ((int?)reply["id"] != id)
            {
                continue; // an event
            }
            Assert.True(reply["error"] is null, $"{method}: {reply["error"]?.ToJsonString()}");
            return reply["result"]!;
        }
    }

    /// <summary>The value of a JavaScript expression in the page.</summary>
    public async Task<JsonNode?> EvalAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        Assert.True(result["exceptionDetails"] is null, $"{expression}: {result["exceptionDetails"]?.ToJsonString()}");
        return result["result"]!["value"];
    }

    /// <summary>Waits until <paramref name="expression"/> is true in the page (10 s at most).</summary>
    public async Task WaitForAsync(string expression, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!((bool?)await EvalAsync($"!!({expression})") ?? false))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what} ({expression}).");
            await Task.Delay(50);
        }
    }

    /// <summary>A real key press, as the keyboard sends it (keyDown then keyUp), to the focused element.</summary>
    public async Task PressAsync(string key, int keyCode, bool shift = false)
    {
        var modifiers = shift ? 8 : 0;
        var text = key == "Enter" ? "\r" : "";
        await SendAsync("Input.dispatchKeyEvent", new { type = "keyDown", key, code = key, windowsVirtualKeyCode = keyCode, nativeVirtualKeyCode = keyCode, modifiers, text });
        await SendAsync("Input.dispatchKeyEvent", new { type = "keyUp", key, code = key, windowsVirtualKeyCode = keyCode, nativeVirtualKeyCode = keyCode, modifiers });
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
        }
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
