namespace GiGpoNet.Hosting.Tests;

/// <summary>How <c>gigpo</c> reports a libtorch failure: the exit code the ablation runner resumes on.</summary>
public sealed class NativeFailureExitCodeTests
{
    [Test]
    public async Task A_libtorch_failure_exits_with_its_own_code_and_says_how_to_resume()
    {
        var error = new StringWriter();
        var code = await GiGpoNet.Cli.Commands.CliErrors.RunAsync(error,
            () => throw new System.Runtime.InteropServices.ExternalException("toFloat: Expected false to be true\n(stack)"));
        Assert.That(code, Is.EqualTo(GiGpoNet.Cli.ExitCodes.NativeFailure));
        Assert.That(error.ToString(), Does.Contain("libtorch failed: toFloat: Expected false to be true").And.Contain("resume").And.Not.Contain("(stack)"));
        Assert.That(error.ToString(), Does.Contain("(in GiGpoNet.Hosting.Tests.NativeFailureExitCodeTests"), "the innermost .NET frames say where it failed");
        Assert.That(error.ToString().TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");
    }

    [Test]
    public void A_LibTorchSharp_that_the_system_libstdcxx_cannot_load_is_named_in_one_line_before_any_folder_is_made()
    {
        Assume.That(OperatingSystem.IsLinux() && SystemLibstdcxxLacks("GLIBCXX_3.4.32"), "a libstdc++ older than GCC 13's (Debian 12)");
        // gigpo's build output as hard links, with TorchSharp's libLibTorchSharp.so as its package ships it (unpatched).
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-unpatched-" + Guid.NewGuid().ToString("N"));
        try
        {
            var testDirectory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            var cli = Path.Combine(RepositoryFiles.Root, "src", "Cli", "bin", testDirectory.Parent!.Name, testDirectory.Name);
            Assert.That(RunProcess([], "cp", "-al", cli, folder).Code, Is.EqualTo(0));
            var glue = Path.Combine(folder, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            File.Delete(glue);
            var version = typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                           ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            using (var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(packages, "torchsharp", version, $"torchsharp.{version}.nupkg")))
                System.IO.Compression.ZipFileExtensions.ExtractToFile(package.GetEntry("runtimes/linux-x64/native/libLibTorchSharp.so")!, glue);

            // TorchSharp's last resort, a libtorch package in the NuGet cache (patched there by this repository's build), is out of reach.
            var run = Path.Combine(folder, "run");
            Directory.CreateDirectory(Path.Combine(folder, "no-packages"));
            var (code, output) = RunProcess(new() { ["NUGET_PACKAGES"] = Path.Combine(folder, "no-packages") }, "dotnet", Path.Combine(folder, "gigpo.dll"),
                "train", $"--Training:OutputDirectory={run}", "--Training:Iterations=0", "--WarmStart:Enabled=false");
            Assert.That(code, Is.EqualTo(2), output);
            Assert.That(output.Trim().Split('\n'), Has.Length.EqualTo(1), output);
            Assert.That(output, Does.Contain("version `GLIBCXX_3.4.32' not found").And.Contain("GiGpoNet.Backend.TorchSharp"));
            Assert.That(Directory.Exists(run), Is.False, "nothing is written before the check");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Whether the system libstdc++ lacks <paramref name="version"/> (Debian 12 stops at GLIBCXX_3.4.30).</summary>
    internal static bool SystemLibstdcxxLacks(string version)
    {
        var library = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        return library is not null && !System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(library)).Contains(version, StringComparison.Ordinal);
    }

    private static (int Code, string Output) RunProcess(Dictionary<string, string> environment, string program, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [TestCase("SEGV", "SIGSEGV")]
    [TestCase("ABRT", "SIGABRT")]
    [TestCase("BUS", "SIGBUS")]
    public void A_child_killed_by_a_native_crash_signal_is_recognised_from_its_exit_code(string signal, string expected)
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False, "Unix signals");
        Assert.That(GiGpoNet.Cli.ExitCodes.NativeCrash(ExitCodeOfShell($"kill -{signal} $$")), Does.Contain(expected));
    }

    [TestCase("kill -KILL $$")]
    [TestCase("exit 1")]
    [TestCase("exit 3")]
    public void Other_exits_are_not_taken_for_a_native_crash(string script)
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False, "Unix signals");
        Assert.That(GiGpoNet.Cli.ExitCodes.NativeCrash(ExitCodeOfShell(script)), Is.Null);
    }

    /// <summary>The exit code .NET reports for a <c>/bin/sh</c> child that runs <paramref name="script"/>.</summary>
    private static int ExitCodeOfShell(string script)
    {
        using var process = System.Diagnostics.Process.Start("/bin/sh", ["-c", script])!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
