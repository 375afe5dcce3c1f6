namespace GiGpoNet.Hosting.Tests;

/// <summary>Files of the repository the tests run in: its root (where GiGPO.sln is) and the samples' build outputs.</summary>
internal static class RepositoryFiles
{
    /// <summary>The repository root, found above the test directory.</summary>
    public static string Root
    {
        get
        {
            var root = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (!File.Exists(Path.Combine(root.FullName, "GiGPO.sln")))
                root = root.Parent ?? throw new AssertionException("repository root (GiGPO.sln) not found above the test directory");
            return root.FullName;
        }
    }

    /// <summary>The assembly a sample project builds, in the configuration and framework of the tests (the tests build it first).</summary>
    public static string SampleAssembly(string project)
    {
        var testDirectory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        var path = Path.Combine(Root, "samples", project, "bin", testDirectory.Parent!.Name, testDirectory.Name, project + ".dll");
        Assert.That(File.Exists(path), Is.True, $"{path} was not built");
        return path;
    }
}
