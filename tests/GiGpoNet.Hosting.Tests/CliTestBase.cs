using GiGpoNet.Cli;

namespace GiGpoNet.Hosting.Tests;

/// <summary>Runs <c>gigpo</c> in-process, each test with its own temporary folder.</summary>
public abstract class CliTestBase
{
    /// <summary>The test's temporary folder, deleted after it.</summary>
    protected string Folder { get; private set; } = null!;

    [SetUp]
    public void CreateFolder()
    {
        Folder = Path.Combine(Path.GetTempPath(), "gigpo-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(Folder, recursive: true);

    protected static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = GigpoCommandLine.Invoke(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
