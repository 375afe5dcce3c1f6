using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GiGpoNet.Hosting.Tests;

/// <summary>A <c>gigpo</c> server (<c>serve-policy</c>, <c>serve-env</c>, <c>serve-retriever</c>) in a child process on a loopback port, killed when disposed.</summary>
internal sealed class CliServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    private CliServerProcess(Process process, int port)
    {
        (_process, Port) = (process, port);
        process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
    }

    public int Port { get; }

    /// <summary>The OpenAI-style base address of a policy server.</summary>
    public string BaseAddress => $"http://127.0.0.1:{Port}/v1";

    /// <summary>The server's root address.</summary>
    public string RootAddress => $"http://127.0.0.1:{Port}";

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary><c>gigpo serve-policy --checkpoint</c>, once <c>/health</c> answers.</summary>
    public static Task<CliServerProcess> StartPolicyServerAsync(string checkpoint, int? port = null) =>
        StartAsync(["serve-policy", "--checkpoint", checkpoint], "/health", port);

    /// <summary><c>gigpo serve-env --environment</c>, once <c>/v1/info</c> answers.</summary>
    public static Task<CliServerProcess> StartEnvironmentServerAsync(string environment, int? port = null) =>
        StartAsync(["serve-env", "--environment", environment], "/v1/info", port);

    /// <summary><c>gigpo serve-retriever</c> with configuration overrides, once <c>/health</c> answers.</summary>
    public static Task<CliServerProcess> StartRetrieverServerAsync(params string[] overrides) =>
        StartAsync(["serve-retriever", .. overrides], "/health", null);

    private static async Task<CliServerProcess> StartAsync(string[] arguments, string ready, int? port)
    {
        var chosen = port ?? FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] all = [Path.Combine(TestContext.CurrentContext.TestDirectory, "gigpo.dll"), .. arguments, "--urls", $"http://127.0.0.1:{chosen}"];
        foreach (var argument in all)
            start.ArgumentList.Add(argument);
        var server = new CliServerProcess(Process.Start(start)!, chosen);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.That(server._process.HasExited, Is.False, $"{arguments[0]} exited: {server.Log}");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(2)), $"{arguments[0]} did not come up: {server.Log}");
            try
            {
                if ((await http.GetAsync(new Uri(server.RootAddress + ready))).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
