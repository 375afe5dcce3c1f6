using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;

namespace GiGpoNet.Hosting.Tests.Gpu;

/// <summary>
/// eng/gpu on the CPU machine: everything the GPU checks do short of the GPU. The bundle is packed once (the published CLI and bench
/// with TorchBackend=external, a compressed .NET runtime); the script unpacks it and runs every step with <c>--device cpu --quick</c>,
/// libtorch and the glue taken from the NuGet packages the tests already use. Each way of failing stops at its step and says why.
/// </summary>
[Category("Slow")]
public sealed class GpuChecksTests
{
    private static string _folder = null!;
    private static string _bundle = null!;
    private static string _results = null!;
    private static string _work = null!;
    private static (int Code, string Output) _run;
    private static string? _torchPython;

    [OneTimeSetUp]
    public static void PackAndRunOnTheCpu()
    {
        _folder = Path.Combine(Path.GetTempPath(), "gigpo-gpu-" + Guid.NewGuid().ToString("N"));
        _bundle = Path.Combine(_folder, "bundle");
        var (code, output) = Bash("eng/gpu/pack.sh", _bundle);
        Assert.That(code, Is.EqualTo(0), output);
        _torchPython = new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(p => Run(p, ["-c", "import torch"]).Code == 0);
        _results = Path.Combine(_folder, "results");
        _work = Path.Combine(_folder, "work");
        _run = Bash("eng/gpu/run.sh", [_results, .. CpuArguments(_work), .. _torchPython is null ? ["--skip-pytorch"] : new[] { "--python", _torchPython }]);
    }

    [OneTimeTearDown]
    public static void Delete()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public void The_bundle_fits_the_transfer_and_carries_no_libtorch_of_its_own()
    {
        var archives = Directory.GetFiles(_bundle, "*.tar.xz").Sum(f => new FileInfo(f).Length);
        Assert.That(archives, Is.LessThan(56L << 20), "with the working tree, the bundle travels in 64 MiB");
        var manifest = File.ReadAllLines(Path.Combine(_bundle, "manifest.txt"));
        Assert.That(manifest, Does.Contain("torchsharp=" + CentralVersion("TorchSharp")), "the glue must be built at the managed package's version");
        var app = Path.Combine(_work, "app");
        Assert.That(File.Exists(Path.Combine(app, "gigpo.dll")) && File.Exists(Path.Combine(app, "GiGpoNet.Benchmarks.dll")), Is.True, _run.Output);
        Assert.That(Directory.GetFiles(app, "*", SearchOption.AllDirectories).Select(Path.GetFileName),
            Has.None.Match("^lib(torch|c10|LibTorchSharp)"), "the machine's libtorch and the glue built against it are the only ones loaded");
    }

    [Test]
    public void Every_step_runs_from_the_unpacked_layout_and_the_cpu_runs_agree()
    {
        Assert.That(_run.Code, Is.EqualTo(0), _run.Output);
        for (var step = 1; step <= 9; step++) Assert.That(_run.Output, Does.Contain($"== step {step}:"));
        Assert.That(_run.Output, Does.Contain("256 x 256 matmul on cpu").And.Contain("(ok)"));
        var report = File.ReadAllText(Path.Combine(_results, "report.md"));
        Assert.That(report, Does.Match(@"All \d+ metric columns agree"));
        foreach (var run in new[] { "train-cpu", "train-device" })
            Assert.That(File.ReadAllLines(Path.Combine(_results, run + ".csv")), Has.Length.EqualTo(2), "a header and one iteration");
        Assert.That(Directory.GetFiles(_results).Select(Path.GetFileName), Is.EquivalentTo(new[]
        {
            "report.md", "run.log", "train-parity.md", "train-cpu.csv", "train-device.csv", "dotnet-figures.json",
            _torchPython is null ? null : "pytorch-figures.json",
        }.OfType<string>()), "what comes back from a device run: at most 8 files");
        Assert.That(Directory.GetDirectories(_results), Is.Empty);
        using var figures = JsonDocument.Parse(File.ReadAllText(Path.Combine(_results, "dotnet-figures.json")));
        var phases = figures.RootElement.GetProperty("phases");
        Assert.That(phases.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "update-full", "update-lora", "generate-sampled", "generate-greedy" }));
        foreach (var phase in phases.EnumerateObject())
        {
            Assert.That(phase.Value.GetProperty("tokens_per_second").GetDouble(), Is.GreaterThan(0), phase.Name);
            Assert.That(phase.Value.GetProperty("peak_memory_gb").GetDouble(), Is.GreaterThan(0), phase.Name);
        }
    }

    [Test]
    public void The_pytorch_reference_measures_the_same_phases_and_the_report_sets_them_side_by_side()
    {
        if (_torchPython is null)
            Assert.Ignore("no Python here imports torch: apt-get install python3-torch (.ci/run installs it) to run the PyTorch reference on the CPU.");
        Assert.That(_run.Code, Is.EqualTo(0), _run.Output);
        using var pytorch = JsonDocument.Parse(File.ReadAllText(Path.Combine(_results, "pytorch-figures.json")));
        Assert.That(pytorch.RootElement.GetProperty("implementation").GetString(), Does.StartWith("PyTorch "));
        var report = File.ReadAllText(Path.Combine(_results, "report.md"));
        foreach (var phase in new[] { "update-full", "update-lora", "generate-sampled", "generate-greedy" })
            Assert.That(report, Does.Match($@"\| {phase} \| [\d,]+ \| [\d,]+ \| \d+\.\d\d \|"), "both throughputs and their time ratio");
    }

    [Test]
    public void A_missing_or_wrong_glue_stops_at_step_3_saying_what_to_bring()
    {
        var output = Path.Combine(_folder, "no-glue");
        var cpu = CpuArguments().ToList();
        var withoutGlue = cpu.Take(cpu.IndexOf("--glue")).Concat(cpu.Skip(cpu.IndexOf("--glue") + 2)).ToArray();
        AssertFails(Bash("eng/gpu/run.sh", [output, .. withoutGlue, "--skip-pytorch"]), 3, "no --glue", "TorchSharp " + CentralVersion("TorchSharp"));
        AssertFails(Bash("eng/gpu/run.sh", [output, .. withoutGlue, "--skip-pytorch", "--glue", "/nonexistent/libLibTorchSharp.so"]), 3, "does not exist");
        var notALibrary = Path.Combine(_folder, "not-a-library.so");
        File.WriteAllText(notALibrary, "text");
        AssertFails(Bash("eng/gpu/run.sh", [output, .. withoutGlue, "--skip-pytorch", "--glue", notALibrary]), 3, "the glue needs libraries that are not here");
    }

    [Test]
    public void A_library_that_is_not_the_glue_stops_at_step_5()
    {
        var cpu = CpuArguments().ToList();
        cpu[cpu.IndexOf("--glue") + 1] = new[] { "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1" }.First(File.Exists);
        AssertFails(Bash("eng/gpu/run.sh", [Path.Combine(_folder, "wrong-glue"), .. cpu, "--skip-pytorch"]), 5, "TorchSharp did not load the glue");
    }

    [Test]
    public void A_missing_or_damaged_bundle_stops_at_step_4()
    {
        var cpu = CpuArguments().ToList();
        cpu[cpu.IndexOf("--bundle") + 1] = Path.Combine(_folder, "nowhere");
        AssertFails(Bash("eng/gpu/run.sh", [Path.Combine(_folder, "no-bundle"), .. cpu, "--skip-pytorch"]), 4, "make it with eng/gpu/pack.sh");

        var damaged = Path.Combine(_folder, "damaged");
        Directory.CreateDirectory(damaged);
        foreach (var file in Directory.GetFiles(_bundle)) File.Copy(file, Path.Combine(damaged, Path.GetFileName(file)));
        using (var archive = File.OpenWrite(Path.Combine(damaged, "gigpo-app.tar.xz"))) archive.SetLength(archive.Length / 2);
        cpu[cpu.IndexOf("--bundle") + 1] = damaged;
        AssertFails(Bash("eng/gpu/run.sh", [Path.Combine(_folder, "damaged-run"), .. cpu, "--skip-pytorch"]), 4, "do not match their manifest");
    }

    private static void AssertFails((int Code, string Output) run, int step, params string[] reasons)
    {
        Assert.That(run.Code, Is.EqualTo(1), run.Output);
        Assert.That(run.Output, Does.Contain($"FAILED at step {step}:"));
        foreach (var reason in reasons) Assert.That(run.Output, Does.Contain(reason));
    }

    /// <summary>The script's arguments for this machine: the CPU, the tiny settings, libtorch and the glue from the NuGet packages.</summary>
    private static string[] CpuArguments(string? work = null)
    {
        work ??= Path.Combine(_folder, "work-" + Guid.NewGuid().ToString("N")); // unpacked runtime and app, training runs
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var libtorch = Path.Combine(packages, "libtorch-cpu-linux-x64", CentralVersion("libtorch-cpu-linux-x64"), "runtimes", "linux-x64", "native");
        var glue = Path.Combine(packages, "torchsharp", CentralVersion("TorchSharp"), "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return ["--bundle", _bundle, "--work", work, "--device", "cpu", "--quick", "--libtorch", libtorch, "--glue", glue];
    }

    private static string CentralVersion(string package) =>
        XDocument.Load(Path.Combine(RepositoryFiles.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == package).Attribute("Version")!.Value;

    private static (int Code, string Output) Bash(string script, params string[] args) => Run("bash", [script, .. args]);

    private static (int Code, string Output) Run(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = RepositoryFiles.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(15))) process.Kill(entireProcessTree: true);
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }
    }
}
