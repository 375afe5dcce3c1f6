namespace GiGpoNet.Hosting.Tests;

/// <summary><c>gigpo train --Training:Environment=search</c>: the built-in retriever, the remote one in another process, and start-up checks.</summary>
public sealed class SearchEnvironmentTrainingTests : CliTestBase
{
    private string[] Settings(string run) =>
    [
        .. TinyTraining.Settings("gigpo", run).Where(a => !a.StartsWith("--Training:Environment", StringComparison.Ordinal)
                                                         && !a.StartsWith("--Rollout:MaxSteps", StringComparison.Ordinal)),
        "--Training:Environment=search", "--Rollout:MaxSteps=4", "--Rollout:MaxNewTokens=12", "--Policy:MaxPromptTokens=768",
        $"--Environments:search:IndexDirectory={Path.Combine(Folder, "index")}",
    ];

    [Test]
    [Category("Slow")]
    public async Task Training_against_serve_retriever_in_another_process_gives_the_built_in_retrievers_metrics_to_the_bit()
    {
        var (code, _, stderr) = Run(Settings(Path.Combine(Folder, "builtin")));
        Assert.That(code, Is.EqualTo(0), stderr);
        await using var server = await CliServerProcess.StartRetrieverServerAsync($"--Environments:search:IndexDirectory={Path.Combine(Folder, "server-index")}");
        (code, _, stderr) = Run([.. Settings(Path.Combine(Folder, "remote")), "--Environments:search:Retriever=remote",
            $"--Environments:search:RetrieverUrl={server.RootAddress}/retrieve"]);
        Assert.That(code, Is.EqualTo(0), $"{stderr}\n{server.Log}");
        TinyTraining.AssertSameMetrics(Path.Combine(Folder, "builtin"), Path.Combine(Folder, "remote"));
    }

    [Test]
    public void A_remote_retriever_that_does_not_answer_is_refused_at_start_up_before_the_run_folder_exists()
    {
        var run = Path.Combine(Folder, "unreachable");
        var (code, _, stderr) = Run([.. Settings(run), "--Environments:search:Retriever=remote", "--Environments:search:RetrieverUrl=http://127.0.0.1:9/retrieve",
            "--Environments:search:RetrieverTimeoutSeconds=5"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("Environments:search:RetrieverUrl").And.Contain("serve-retriever"));
        Assert.That(Directory.Exists(run), Is.False);
    }

    [TestCase("{\"question\": \"Who?\"}", "golden_answers")]
    [TestCase("{\"question\": \"Who?\", \"golden_answers\": [\"x\"], \"split\": \"dev\"}", "split")]
    [TestCase("not json", "not a JSON object")]
    [TestCase("{\"question\": \"Who?\", \"golden_answers\": [\"x\"], \"split\": \"1\"}", "split")]
    [TestCase("{\"question\": \"Who \\ud800?\", \"golden_answers\": [\"x\"]}", "lone UTF-16 surrogate")]
    public void A_bad_line_of_the_question_file_is_refused_with_its_line_number(string badLine, string named)
    {
        var file = Path.Combine(Folder, "questions.jsonl");
        File.WriteAllLines(file, ["{\"question\": \"Who wrote it?\", \"golden_answers\": [\"Ann\"]}", badLine]);
        var (code, _, stderr) = Run([.. Settings(Path.Combine(Folder, "file")), $"--Environments:search:Questions={file}"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain($"{file}:2").And.Contain(named));
    }

    [TestCase("--Environments:search:TopK=0", "Environments:search:TopK")]
    [TestCase("--Environments:search:Retriever=bing", "Environments:search:Retriever")]
    [TestCase("--Environments:search:TopKk=3", "TopKk")]
    public void Bad_search_settings_are_refused_naming_the_key(string setting, string named)
    {
        var (code, _, stderr) = Run([.. Settings(Path.Combine(Folder, "bad")), setting]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(named));
    }

    [Test]
    public void A_question_file_without_training_questions_is_refused_before_the_run_folder_exists()
    {
        var file = Path.Combine(Folder, "questions.jsonl");
        File.WriteAllLines(file, ["{\"question\": \"Who wrote it?\", \"golden_answers\": [\"Ann\"], \"split\": \"test\"}"]);
        var run = Path.Combine(Folder, "file");
        var (code, _, stderr) = Run([.. Settings(run), $"--Environments:search:Questions={file}"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("holds no train questions").And.Contain("test 1"));
        Assert.That(Directory.Exists(run), Is.False);
    }

    [Test]
    public void A_retriever_that_fails_after_start_up_fails_those_episodes_and_the_run_goes_on()
    {
        // The start-up query is answered; after it every other request gets a page that is not the API.
        using var listener = new System.Net.HttpListener();
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var requests = 0;
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                System.Net.HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(context.Request.InputStream);
                var queries = System.Text.Json.JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.GetProperty("queries").GetArrayLength();
                var number = Interlocked.Increment(ref requests);
                var body = number > 1 && number % 2 == 1 ? "<html>maintenance</html>"
                    : "{\"result\": [" + string.Join(", ", Enumerable.Repeat("[{\"document\": {\"id\": \"0\", \"contents\": \"\\\"Nothing\\\"\\nNo match.\"}}]", queries)) + "]}";
                var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
        var run = Path.Combine(Folder, "flaky");
        var (code, stdout, stderr) = Run([.. Settings(run), "--Environments:search:Retriever=remote", $"--Environments:search:RetrieverUrl=http://127.0.0.1:{port}/retrieve",
            "--Environments:search:RetrieverRetries=0"]);
        listener.Stop();
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        var failures = Array.IndexOf(metrics[0].Split(','), "env_failures");
        Assert.That(metrics.Skip(1).Sum(l => double.Parse(l.Split(',')[failures], System.Globalization.CultureInfo.InvariantCulture)), Is.GreaterThan(0),
            "the failed requests' episodes are counted as environment failures");
        Assert.That(requests, Is.GreaterThan(4));
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }
}
