using System.Diagnostics;
using System.Xml.Linq;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// The packages as a user takes them: every src/ project is packed into a local folder feed, and a fresh console project outside the
/// repository, referencing the packages (not the projects), registers an estimator of its own and trains one iteration with it.
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
        _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}"; // never served stale from the NuGet cache
    }

    [TearDown]
    public void DeleteFolder()
    {
        Directory.Delete(_folder, recursive: true);
        // The test versions must not pile up in the global packages folder.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (Directory.Exists(cache))
            foreach (var package in Directory.EnumerateDirectories(cache, "gigponet.*"))
                if (Directory.Exists(Path.Combine(package, _version))) Directory.Delete(Path.Combine(package, _version), recursive: true);
    }

    private static (int Code, string Output) Dotnet(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string CentralVersion(string root, string package) =>
        XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == package).Attribute("Version")!.Value;

    [Test]
    public void The_packages_build_and_train_a_custom_estimator_outside_the_repository()
    {
        var root = RepositoryFiles.Root;
        var feed = Path.Combine(_folder, "feed");
        foreach (var project in Directory.GetDirectories(Path.Combine(root, "src")).SelectMany(d => Directory.GetFiles(d, "*.csproj")))
        {
            if (project.EndsWith("GiGpoNet.Cli.csproj", StringComparison.Ordinal)) continue; // the CLI is run from source, not referenced
            var (packCode, packOutput) = Dotnet(root, "pack", project, "-o", feed, $"-p:Version={_version}");
            Assert.That(packCode, Is.EqualTo(0), packOutput);
        }
        foreach (var package in Directory.GetFiles(feed, "*.nupkg"))
        {
            using var archive = System.IO.Compression.ZipFile.OpenRead(package);
            Assert.That(archive.Entries.Select(e => e.FullName), Does.Contain("README.md"), Path.GetFileName(package));
            if (!package.Contains("Analyzers", StringComparison.Ordinal))
                Assert.That(archive.Entries.Any(e => e.FullName.EndsWith(".xml", StringComparison.Ordinal) && e.FullName.StartsWith("lib/", StringComparison.Ordinal)),
                    Is.True, $"{Path.GetFileName(package)} carries its XML docs");
        }

        var app = Path.Combine(_folder, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="GiGpoNet.Hosting" Version="{_version}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="{CentralVersion(root, "libtorch-cpu-linux-x64")}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using GiGpoNet.Advantages;
            using GiGpoNet.Data;
            using GiGpoNet.Hosting.Training;
            using Microsoft.Extensions.Configuration;
            using Microsoft.Extensions.DependencyInjection;

            var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
            var services = new ServiceCollection();
            services.AddGiGpoNet(configuration).AddBuiltIns().AddAdvantageEstimator<Centered, CenteredOptions>("centered");
            await using var provider = services.BuildServiceProvider();
            provider.ValidateGiGpoNetConfiguration();
            await foreach (var e in provider.GetRequiredService<AgentTrainer>().RunAsync())
                Console.WriteLine($"{e.Kind} {e.Iteration}");

            /// <summary>Each row's reward minus the batch's mean reward.</summary>
            sealed class Centered(CenteredOptions options) : IAdvantageEstimator
            {
                public RolloutFields RequiredFields => RolloutFields.None;

                public AdvantageResult Estimate(RolloutBatch batch)
                {
                    var rewards = batch.Rewards.ToArray();
                    var mean = rewards.Average();
                    return AdvantageResult.PerRow([.. rewards.Select(r => (r - mean) * options.Scale)]);
                }
            }

            sealed class CenteredOptions : AdvantageEstimatorOptions
            {
                public double Scale { get; set; } = 1;
            }
            """);
        var run = Path.Combine(_folder, "run");
        var (code, output) = Dotnet(app, "run", "--", "--Training:Algorithm=centered", "--Algorithms:centered:Scale=2", "--Training:Environment=sokoban",
            "--Training:Iterations=1", "--Training:Groups=2", "--Training:GroupSize=2", "--Training:EvaluationTasks=2", $"--Training:OutputDirectory={run}",
            "--WarmStart:Episodes=2", "--WarmStart:Epochs=1", "--Rollout:MaxSteps=3", "--Rollout:MaxNewTokens=6", "--Policy:Layers=1",
            "--Policy:HiddenSize=32", "--Policy:IntermediateSize=64", "--Policy:Heads=2", "--Policy:KeyValueHeads=1");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("iteration 1").And.Contain("finished 1"));
        Assert.That(File.ReadAllText(Path.Combine(run, "configuration.json")), Does.Contain("\"centered\"").And.Contain("\"Scale\": 2"));
    }
}
