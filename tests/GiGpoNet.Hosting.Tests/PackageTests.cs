using System.Diagnostics;
using System.Xml.Linq;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// The packages as a user takes them: every src/ project is packed into a local folder feed, and the README's console host, outside the
/// repository, references the packages (not the projects) from a clean NuGet cache, registers an estimator of its own and trains one
/// iteration with it; without a native runtime it stops with one line that names the packages to add. A host that only estimates
/// advantages, on the training core and one estimator package, has neither TorchSharp, Lucene.Net nor ASP.NET Core in its closure.
/// </summary>
[Category("Slow")]
public sealed class PackageTests
{
    private string _folder = null!;
    private string _version = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "gigpo-package-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output) Dotnet(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string CentralVersion(string root, string package) =>
        XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == package).Attribute("Version")!.Value;

    /// <summary>The first code block of a language in the README's section that starts with <paramref name="heading"/>.</summary>
    private static string ReadmeBlock(string heading, string language)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md"));
        var section = readme[readme.IndexOf(heading, StringComparison.Ordinal)..];
        var open = section.IndexOf($"```{language}\n", StringComparison.Ordinal) + language.Length + 4;
        return section[open..section.IndexOf("```", open, StringComparison.Ordinal)];
    }

    [Test]
    public void The_readme_host_builds_against_the_packed_packages_in_a_clean_cache_and_trains_its_own_estimator()
    {
        var root = RepositoryFiles.Root;
        var feed = Path.Combine(_folder, "feed");
        foreach (var source in Directory.GetDirectories(Path.Combine(root, "src")).SelectMany(d => Directory.GetFiles(d, "*.csproj")))
        {
            var (packCode, packOutput) = Dotnet(root, null, "pack", source, "-o", feed, $"-p:Version={_version}");
            Assert.That(packCode, Is.EqualTo(0), packOutput);
        }
        var packages = Directory.GetFiles(feed, "*.nupkg");
        Assert.That(packages.Select(p => Path.GetFileName(p)), Has.None.StartWith("gigpo."), "the CLI is run or published, not packed");
        foreach (var package in packages)
        {
            using var archive = System.IO.Compression.ZipFile.OpenRead(package);
            var id = Path.GetFileName(package)[..^($".{_version}.nupkg".Length)];
            using (var readme = new StreamReader(archive.GetEntry("README.md")!.Open()))
                Assert.That(readme.ReadLine(), Is.EqualTo($"# {id}"), $"{id} carries its own README");
            using (var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()))
            {
                var metadata = nuspec.ReadToEnd();
                Assert.That(metadata, Does.Contain("<license type=\"expression\">MIT</license>").And.Contain("<projectUrl>").And.Contain("<repository type=\"git\""), id);
            }
            if (!id.EndsWith("Analyzers", StringComparison.Ordinal))
                Assert.That(archive.Entries.Any(e => e.FullName.EndsWith(".xml", StringComparison.Ordinal) && e.FullName.StartsWith("lib/", StringComparison.Ordinal)),
                    Is.True, $"{id} carries its XML docs");
            if (id == "GiGpoNet.Backend.TorchSharp")
                Assert.That(archive.Entries.Select(e => e.FullName), Does.Contain("buildTransitive/GiGpoNet.Backend.TorchSharp.targets"));
        }

        // A clean NuGet cache, so that TorchSharp's libLibTorchSharp.so is extracted as shipped; third-party packages come from this
        // machine's cache, read as a local feed.
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                           ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var clean = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_folder, "packages") };
        var project = ReadmeBlock("## Training from C#", "xml");
        Assert.That(project, Does.Contain($"Include=\"libtorch-cpu-linux-x64\" Version=\"{CentralVersion(root, "libtorch-cpu-linux-x64")}\""),
            "the README names the libtorch this version is built against");
        var app = CreateApp("app", project.Replace("Include=\"GiGpoNet\" Version=\"0.1.0\"", $"Include=\"GiGpoNet\" Version=\"{_version}\"",
            StringComparison.Ordinal), feed, machineCache);
        var (code, output) = Dotnet(app, clean, "build");
        Assert.That(code, Is.EqualTo(0), output);
        if (NativeFailureExitCodeTests.SystemLibstdcxxLacks("GLIBCXX_3.4.32"))
            Assert.That(output, Does.Contain("unused need for it was made weak"), "the backend package's build step patched the fresh copy");

        var run = Path.Combine(_folder, "run");
        string[] tiny = ["--Training:Environment=sokoban", "--Training:Iterations=1", "--Training:Groups=2", "--Training:GroupSize=2",
            "--Training:EvaluationTasks=2", $"--Training:OutputDirectory={run}", "--WarmStart:Episodes=2", "--WarmStart:Epochs=1", "--Rollout:MaxSteps=3",
            "--Rollout:MaxNewTokens=6", "--Policy:Layers=1", "--Policy:HiddenSize=32", "--Policy:IntermediateSize=64", "--Policy:Heads=2",
            "--Policy:KeyValueHeads=1"];
        (code, output) = Dotnet(app, clean, ["run", "--no-build", "--", "--Training:Algorithm=centered", "--Algorithms:centered:Scale=2", .. tiny]);
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("iteration 1").And.Contain("finished 1"));
        var recorded = File.ReadAllText(Path.Combine(run, "configuration.json"));
        Assert.That(recorded, Does.Contain("\"centered\"").And.Contain("\"Scale\": 2").And.Contain("\"Seed\": 7"), "configuration and the typed seed");

        (code, output) = Dotnet(app, clean, ["run", "--no-build", "--", "--Training:Algorithm=centred", .. tiny.Select(a => a.Replace(run, run + "-typo"))]);
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(output.Trim().Split('\n'), Has.Length.EqualTo(1), output);
        Assert.That(output, Does.Contain("'centred'").And.Contain("centered"));
        Assert.That(Directory.Exists(run + "-typo"), Is.False, "nothing is written before the check");

        // A host that only estimates advantages takes the training core and one estimator package: no TorchSharp, Lucene.Net or ASP.NET Core.
        var estimatorOnly = CreateApp("estimator-only", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="GiGpoNet.Hosting" Version="{_version}" />
                <PackageReference Include="GiGpoNet.Algorithms.GiGpo" Version="{_version}" />
              </ItemGroup>
            </Project>
            """, feed, machineCache, """
            using GiGpoNet.Advantages;
            using Microsoft.Extensions.Configuration;
            using Microsoft.Extensions.DependencyInjection;

            var services = new ServiceCollection();
            services.AddGiGpoNet(new ConfigurationBuilder().AddCommandLine(args).Build()).AddGiGpo();
            using var provider = services.BuildValidatedGiGpoNetProvider();
            Console.WriteLine(provider.GetRequiredService<IAdvantageEstimatorProvider>().Get("gigpo").GetType().Name);
            """);
        (code, output) = Dotnet(estimatorOnly, clean, "run", "--", "--Training:Algorithm=gigpo");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("GiGpoAdvantageEstimator"));
        var assets = File.ReadAllText(Path.Combine(estimatorOnly, "obj", "project.assets.json"));
        var runtime = File.ReadAllText(Path.Combine(estimatorOnly, "bin", "Debug", "net10.0", "App.runtimeconfig.json"));
        foreach (var heavy in new[] { "TorchSharp", "Lucene.Net", "Microsoft.ML", "GiGpoNet.Backend" })
            Assert.That(assets, Does.Not.Contain($"\"{heavy}"), $"{heavy} is not in the estimator-only host's closure");
        Assert.That(runtime, Does.Not.Contain("Microsoft.AspNetCore.App"), "nor ASP.NET Core");

        // The same host without a native runtime: one line naming the packages, before any folder is made.
        var bare = CreateApp("bare", project.Replace("Include=\"GiGpoNet\" Version=\"0.1.0\"", $"Include=\"GiGpoNet\" Version=\"{_version}\"",
                StringComparison.Ordinal).Replace($"<PackageReference Include=\"libtorch-cpu-linux-x64\" Version=\"{CentralVersion(root, "libtorch-cpu-linux-x64")}\" />",
                "", StringComparison.Ordinal), feed, machineCache);
        (code, output) = Dotnet(bare, clean, "build");
        Assert.That(code, Is.EqualTo(0), output);
        var empty = Path.Combine(_folder, "no-packages"); // where TorchSharp would look for a libtorch package as a last resort
        Directory.CreateDirectory(empty);
        (code, output) = Dotnet(bare, new Dictionary<string, string> { ["NUGET_PACKAGES"] = empty },
            [Path.Combine("bin", "Debug", "net10.0", "App.dll"), .. tiny.Select(a => a.Replace(run, run + "-bare"))]);
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(output.Trim().Split('\n'), Has.Length.EqualTo(1), output);
        Assert.That(output, Does.Contain("libtorch-cpu-linux-x64 " + CentralVersion(root, "libtorch-cpu-linux-x64")).And.Contain("TorchSharp-cuda-linux"));
        Assert.That(Directory.Exists(run + "-bare"), Is.False, "nothing is written before the check");
    }

    /// <summary>
    /// A console project named App in <paramref name="name"/>, with the README's program (or <paramref name="program"/>), restoring from
    /// the feed and the mirror.
    /// </summary>
    private string CreateApp(string name, string project, string feed, string mirror, string? program = null)
    {
        var app = Path.Combine(_folder, name);
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="mirror" value="{mirror}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), project);
        File.WriteAllText(Path.Combine(app, "Program.cs"), program ?? ReadmeBlock("## Training from C#", "csharp"));
        return app;
    }
}
