using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace GiGpoNet.Hosting.Tests.Scheduling;

/// <summary><c>gigpo ablate --emit slurm|kubernetes</c> and <c>--cell</c>: the jobs' structure, their refusals, and one cell run as an array task.</summary>
public sealed class SchedulerJobTests : CliTestBase
{
    /// <summary>A four-cell tiny grid (two algorithms × two seeds) in the test's folder.</summary>
    internal static string TinyGrid(string folder)
    {
        var path = Path.Combine(folder, "grid.json");
        File.WriteAllText(path, """
            {
              "name": "tiny cluster grid",
              "base": {
                "Training:Environment": "sokoban", "Training:Iterations": 2, "Training:Groups": 2, "Training:GroupSize": 2, "Training:EvaluationTasks": 2,
                "WarmStart:Episodes": 2, "WarmStart:Epochs": 1, "Rollout:MaxSteps": 3, "Rollout:MaxNewTokens": 6, "Rollout:RequireThinkTags": false,
                "Policy:Layers": 1, "Policy:HiddenSize": 32, "Policy:IntermediateSize": 64, "Policy:Heads": 2, "Policy:KeyValueHeads": 1,
                "Update:MiniBatchSize": 8, "Update:MicroBatchSize": 4
              },
              "axes": [ { "name": "algorithm", "key": "Training:Algorithm", "values": ["gigpo", "grpo"] } ],
              "seeds": [1, 2]
            }
            """);
        return path;
    }

    private string Output => Path.Combine(Folder, "it's out"); // a quote in the path: the job must still pass it as one argument

    [Test]
    public void The_slurm_script_is_an_array_of_one_task_per_cell_with_the_resources_asked_and_each_argument_intact()
    {
        var script = Path.Combine(Folder, "job.sbatch");
        var (code, stdout, stderr) = Run("ablate", "--grid", TinyGrid(Folder), "--output", Output, "--emit", "slurm", "--emit-file", script, "--cpus-per-cell", "3",
            "--memory-gb-per-cell", "5", "--gpus-per-cell", "1", "--time-limit-minutes", "90", "--partition", "gpu", "--account", "lab", "--parallel", "2",
            "--attempts", "4");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Is.Empty, "the script goes to --emit-file");
        Assert.That(stderr, Does.Contain("4 cells as one Slurm array job").And.Contain("sbatch " + script));
        var lines = File.ReadAllLines(script);
        Assert.That(lines[0], Is.EqualTo("#!/bin/bash"));
        var directives = lines.Where(l => l.StartsWith("#SBATCH ", StringComparison.Ordinal)).Select(l => l["#SBATCH ".Length..]).ToList();
        Assert.That(directives, Is.SupersetOf(new[]
        {
            "--array=0-3%2", "--cpus-per-task=3", "--mem=5G", "--gpus-per-task=1", "--time=90", "--partition=gpu", "--account=lab",
            $"--output=\"{Path.Combine(Output, "slurm-logs", "%A_%a.out")}\"", // a path with a space, double-quoted for sbatch
        }));
        Assert.That(Directory.Exists(Path.Combine(Output, "slurm-logs")), Is.True, "sbatch does not create the folder of --output");
        Assert.That(lines, Does.Contain("export Backend__Threads='3'"));

        // The exec line, run through bash with printf in place of exec, gives back the argument list exactly.
        var exec = lines.Single(l => l.StartsWith("exec ", StringComparison.Ordinal));
        var arguments = Bash("printf '%s\\n' " + exec["exec ".Length..]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(arguments[^8..], Is.EqualTo(new[] { "ablate", "--grid", Path.Combine(Folder, "grid.json"), "--output", Output, "--cell", "--attempts", "4" }));
        Assert.That(Path.GetFileNameWithoutExtension(arguments[^9]), Is.EqualTo("gigpo"));
        Assert.That(File.Exists(arguments[^9]), Is.True, $"the task starts this gigpo by its full path: {arguments[^9]}");
    }

    [Test]
    public void The_kubernetes_manifest_is_an_indexed_job_with_one_completion_per_cell_on_the_shared_volume()
    {
        var (code, stdout, stderr) = Run("ablate", "--grid", TinyGrid(Folder), "--output", Output, "--emit", "kubernetes", "--image", "registry.example/gigpo:1.0",
            "--volume-claim", "grids", "--mount-path", Folder, "--namespace", "research", "--cpus-per-cell", "4", "--memory-gb-per-cell", "16", "--gpus-per-cell", "1",
            "--time-limit-minutes", "120", "--parallel", "3");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("4 cells as one Kubernetes Indexed Job").And.Contain("kubectl apply -f"));

        var yaml = new YamlStream();
        yaml.Load(new StringReader(stdout));
        var job = (YamlMappingNode)yaml.Documents.Single().RootNode;
        Assert.That(Text(job, "apiVersion"), Is.EqualTo("batch/v1"));
        Assert.That(Text(job, "kind"), Is.EqualTo("Job"));
        Assert.That(Text(Map(job, "metadata"), "name"), Is.EqualTo("gigpo-tiny-cluster-grid"));
        Assert.That(Text(Map(job, "metadata"), "namespace"), Is.EqualTo("research"));
        var spec = Map(job, "spec");
        Assert.That(Text(spec, "completionMode"), Is.EqualTo("Indexed"));
        Assert.That(Text(spec, "completions"), Is.EqualTo("4"));
        Assert.That(Text(spec, "parallelism"), Is.EqualTo("3"));
        Assert.That(Text(spec, "backoffLimitPerIndex"), Is.EqualTo("2"));
        var rule = (YamlMappingNode)((YamlSequenceNode)Map(spec, "podFailurePolicy")["rules"]).Single();
        Assert.That(Text(rule, "action"), Is.EqualTo("FailIndex"));
        Assert.That(((YamlSequenceNode)Map(rule, "onExitCodes")["values"]).Select(v => v.ToString()), Is.EqualTo(new[] { "1", "2" }));

        var pod = Map(Map(spec, "template"), "spec");
        Assert.That(Text(pod, "restartPolicy"), Is.EqualTo("Never"), "podFailurePolicy needs it");
        Assert.That(Text(pod, "activeDeadlineSeconds"), Is.EqualTo("7200"));
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Single();
        Assert.That(Text(container, "name"), Is.EqualTo("cell"), "the name podFailurePolicy refers to");
        Assert.That(Text(container, "image"), Is.EqualTo("registry.example/gigpo:1.0"));
        Assert.That(((YamlSequenceNode)container["command"]).Select(v => v.ToString()),
            Is.EqualTo(new[] { "gigpo", "ablate", "--grid", Path.Combine(Folder, "grid.json"), "--output", Output, "--cell" }));
        foreach (var kind in new[] { "requests", "limits" })
        {
            var resources = Map(Map(container, "resources"), kind);
            Assert.That((Text(resources, "cpu"), Text(resources, "memory"), Text(resources, "nvidia.com/gpu")), Is.EqualTo(("4", "16Gi", "1")));
        }
        var env = (YamlMappingNode)((YamlSequenceNode)container["env"]).Single();
        Assert.That((Text(env, "name"), Text(env, "value")), Is.EqualTo(("Backend__Threads", "4")));
        var mount = (YamlMappingNode)((YamlSequenceNode)container["volumeMounts"]).Single();
        var volume = (YamlMappingNode)((YamlSequenceNode)pod["volumes"]).Single();
        Assert.That(Text(mount, "name"), Is.EqualTo(Text(volume, "name")));
        Assert.That(Text(mount, "mountPath"), Is.EqualTo(Folder));
        Assert.That(Text(Map(volume, "persistentVolumeClaim"), "claimName"), Is.EqualTo("grids"));
    }

    [Test]
    public void Emitting_and_cell_selection_refuse_what_cannot_work_before_any_cell_runs()
    {
        var grid = TinyGrid(Folder);
        (string[] Arguments, string Message)[] cases =
        [
            (["--emit", "pbs"], "the schedulers are 'slurm' and 'kubernetes'"),
            (["--emit", "kubernetes", "--volume-claim", "c", "--mount-path", Folder], "needs --image"),
            (["--emit", "kubernetes", "--image", "i", "--mount-path", Folder], "needs --volume-claim"),
            (["--emit", "kubernetes", "--image", "i", "--volume-claim", "c"], "needs --mount-path"),
            (["--emit", "kubernetes", "--image", "i", "--volume-claim", "c", "--mount-path", Path.Combine(Folder, "elsewhere")], "is not under --mount-path"),
            (["--emit", "slurm", "--cpus-per-cell", "0"], "--cpus-per-cell must be at least 1"),
            (["--emit", "slurm", "--time-limit-minutes", "0"], "--time-limit-minutes must be at least 1"),
            (["--emit", "slurm", "--cell", "1"], "does not go with --only or --emit"),
            (["--cell", "4"], "the grid has 4 cells, indexed 0 to 3"),
            (["--cell", "-1"], "give a cell index"),
            (["--cell", "two"], "give a cell index"),
            (["--cell", "1", "--only", "*seed1"], "does not go with --only or --emit"),
        ];
        foreach (var (arguments, message) in cases)
        {
            var (code, _, stderr) = Run(["ablate", "--grid", grid, "--output", Output, .. arguments]);
            Assert.That(code, Is.EqualTo(2), string.Join(' ', arguments));
            Assert.That(stderr, Does.Contain(message), string.Join(' ', arguments));
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
        }
        Assert.That(Directory.Exists(Path.Combine(Output, "gigpo__seed1")), Is.False, "nothing ran");
    }

    [Test]
    public void No_value_can_add_a_line_to_the_slurm_script_and_a_path_with_spaces_stays_one_value()
    {
        var grid = TinyGrid(Folder);
        (string[] Arguments, string Message)[] cases =
        [
            (["--output", Path.Combine(Folder, "o\ntouch PWNED\n#")], "control character"),
            (["--output", Path.Combine(Folder, "o\"x")], "quote, backslash"),
            (["--output", Output, "--partition", "gpu\ntouch PWNED"], "--partition 'gpu\\u000atouch PWNED' is not a Slurm name"),
            (["--output", Output, "--account", "lab; rm -rf ~"], "--account 'lab; rm -rf ~' is not a Slurm name"),
        ];
        foreach (var (arguments, message) in cases)
        {
            var script = Path.Combine(Folder, "job.sbatch");
            var (code, _, stderr) = Run(["ablate", "--grid", grid, .. arguments, "--emit", "slurm", "--emit-file", script]);
            Assert.That(code, Is.EqualTo(2), string.Join(' ', arguments));
            Assert.That(stderr, Does.Contain(message), string.Join(' ', arguments));
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
            Assert.That(File.Exists(script), Is.False, "nothing written");
        }
        Assert.That(Directory.GetDirectories(Folder), Is.Empty, "no log folder made for a refused script");

        var spaced = Path.Combine(Folder, "my runs");
        var (ok, stdout, error) = Run("ablate", "--grid", grid, "--output", spaced, "--emit", "slurm");
        Assert.That(ok, Is.EqualTo(0), error);
        Assert.That(stdout.Split('\n'), Does.Contain($"#SBATCH --output=\"{Path.Combine(spaced, "slurm-logs", "%A_%a.out")}\""));
    }

    [Test]
    public void The_emitted_file_never_replaces_a_file_unasked_nor_ever_the_grid()
    {
        var grid = TinyGrid(Folder);
        var script = Path.Combine(Folder, "job.sbatch");
        File.WriteAllText(script, "mine");
        var (code, _, stderr) = Run("ablate", "--grid", grid, "--output", Output, "--emit", "slurm", "--emit-file", script);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("exists: add --overwrite"));
        Assert.That(File.ReadAllText(script), Is.EqualTo("mine"));

        (code, _, stderr) = Run("ablate", "--grid", grid, "--output", Output, "--emit", "slurm", "--emit-file", script, "--overwrite");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(File.ReadAllText(script), Does.StartWith("#!/bin/bash"));

        var before = File.ReadAllText(grid);
        (code, _, stderr) = Run("ablate", "--grid", grid, "--output", Output, "--emit", "slurm", "--emit-file", grid, "--overwrite");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("is the grid file"));
        Assert.That(File.ReadAllText(grid), Is.EqualTo(before));
    }

    [Test]
    public void A_volume_mounted_at_the_root_holds_every_path()
    {
        var (code, stdout, stderr) = Run("ablate", "--grid", TinyGrid(Folder), "--output", Output, "--emit", "kubernetes", "--image", "i", "--volume-claim", "c",
            "--mount-path", "/");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("mountPath: \"/\"").Or.Contain("mountPath: /").Or.Contain("mountPath: '/'"));
    }

    [Test]
    public void A_dry_run_of_one_cell_still_checks_every_cell()
    {
        var path = Path.Combine(Folder, "mixed.json");
        File.WriteAllText(path, File.ReadAllText(TinyGrid(Folder)).Replace("\"values\": [\"gigpo\", \"grpo\"]", "\"values\": [\"gigpo\", \"grpoo\"]",
            StringComparison.Ordinal));
        var (code, _, stderr) = Run("ablate", "--grid", path, "--output", Output, "--cell", "0", "--dry-run");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("cell grpoo__seed1").And.Contain("'grpoo'"));
    }

    [Test]
    public void A_cell_without_an_index_reads_the_array_tasks_and_says_which_variables_when_none_is_set()
    {
        // The variables are the process's own; this test is the only one here to touch them, and it restores them.
        string?[] saved = [.. Experiments.Scheduling.ArrayTaskIndex.Variables.Select(Environment.GetEnvironmentVariable)];
        try
        {
            foreach (var variable in Experiments.Scheduling.ArrayTaskIndex.Variables) Environment.SetEnvironmentVariable(variable, null);
            var (code, _, stderr) = Run("ablate", "--grid", TinyGrid(Folder), "--output", Output, "--cell", "--dry-run");
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, and neither is set"));

            Environment.SetEnvironmentVariable("JOB_COMPLETION_INDEX", "2");
            (code, var stdout, stderr) = Run("ablate", "--grid", TinyGrid(Folder), "--output", Output, "--cell", "--dry-run");
            Assert.That(code, Is.EqualTo(0), stderr);
            Assert.That(stdout.Split('\n').Where(l => l.StartsWith("Pending", StringComparison.Ordinal)).Single(), Does.Contain("grpo__seed1").And.EndWith("(--cell 2)"));

            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", "x1");
            (code, _, stderr) = Run("ablate", "--grid", TinyGrid(Folder), "--output", Output, "--cell", "--dry-run");
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("SLURM_ARRAY_TASK_ID='x1' is not a cell index"));
        }
        finally
        {
            foreach (var (variable, value) in Experiments.Scheduling.ArrayTaskIndex.Variables.Zip(saved)) Environment.SetEnvironmentVariable(variable, value);
        }
    }

    [Test]
    [Category("Slow")]
    public void One_cell_trains_alone_a_failed_one_is_tried_again_and_the_report_lists_what_has_finished()
    {
        var grid = TinyGrid(Folder);
        var (code, stdout, stderr) = Run("ablate", "--grid", grid, "--output", Output, "--cell", "1");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("cell 1 of 4 (gigpo__seed2)").And.Contain("1/1 cells finished"));
        Assert.That(Directory.GetDirectories(Output).Select(Path.GetFileName).Where(n => n != "warm-start-cache" && n != "slurm-logs"), Is.EqualTo(new[] { "gigpo__seed2" }));
        Assert.That(File.ReadAllLines(Path.Combine(Output, "results.csv")), Has.Length.EqualTo(2), "the header and the one finished cell's row");

        // A cell whose last attempt failed is run again when its task is (the scheduler decided to run it).
        File.Delete(Path.Combine(Output, "gigpo__seed2", "summary.json"));
        File.WriteAllText(Path.Combine(Output, "gigpo__seed2", "failed.json"), """{ "exit_code": 3, "message": "injected" }""");
        (code, stdout, stderr) = Run("ablate", "--grid", grid, "--output", Output, "--cell", "1");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(File.Exists(Path.Combine(Output, "gigpo__seed2", "summary.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(Output, "gigpo__seed2", "failed.json")), Is.False);
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[key];

    private static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static string Bash(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0));
        return text;
    }
}
