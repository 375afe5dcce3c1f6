using System.CommandLine;
using GiGpoNet.Experiments.Ablations;
using GiGpoNet.Experiments.Scheduling;

namespace GiGpoNet.Cli.Commands;

/// <summary>
/// <c>gigpo ablate --emit slurm|kubernetes</c>: the grid as one array job of the cluster's scheduler, each task running
/// <c>gigpo ablate --grid G --output O --cell</c> with its index; the options that size and place the tasks.
/// </summary>
internal sealed class AblateSchedulerOptions
{
    private readonly Option<string?> _emit = new("--emit")
    {
        Description = "Write the grid as a cluster job instead of running it: 'slurm' (an sbatch script with one array task per cell) or 'kubernetes' " +
                      "(an Indexed Job manifest); to standard output, or to --emit-file.",
    };
    private readonly Option<string?> _file = new("--emit-file")
    {
        Description = "Where --emit writes the job (default: standard output); a new file unless --overwrite.",
    };
    private readonly Option<bool> _overwrite = new("--overwrite") { Description = "Let --emit-file replace a file that exists (never the grid, its settings or plugins)." };
    private readonly Option<int> _cpus = new("--cpus-per-cell") { Description = "CPU cores per cell's task (also its Backend:Threads).", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _memory = new("--memory-gb-per-cell") { Description = "Memory per cell's task, GiB.", DefaultValueFactory = _ => 8 };
    private readonly Option<int> _gpus = new("--gpus-per-cell") { Description = "GPUs per cell's task (then also set Backend:Device=cuda in the grid)." };
    private readonly Option<int?> _time = new("--time-limit-minutes") { Description = "Wall-clock limit per cell's task (Slurm --time, the pod's activeDeadlineSeconds)." };
    private readonly Option<string?> _partition = new("--partition") { Description = "Slurm: the partition." };
    private readonly Option<string?> _account = new("--account") { Description = "Slurm: the account charged." };
    private readonly Option<string?> _image = new("--image") { Description = "Kubernetes: the container image, with gigpo in it (required)." };
    private readonly Option<string?> _claim = new("--volume-claim")
    {
        Description = "Kubernetes: the ReadWriteMany PersistentVolumeClaim that holds the grid and its runs (required).",
    };
    private readonly Option<string?> _mount = new("--mount-path")
    {
        Description = "Kubernetes: where the claim is mounted in each pod; the grid file and --output must lie under it (required).",
    };
    private readonly Option<string?> _namespace = new("--namespace") { Description = "Kubernetes: the namespace." };
    private readonly Option<string?> _command = new("--gigpo-command")
    {
        Description = "How a task starts gigpo (default: this gigpo, by its full path, for slurm; 'gigpo' for kubernetes).",
    };

    /// <summary>The options, to add to the command.</summary>
    public IEnumerable<Option> All => [_emit, _file, _overwrite, _cpus, _memory, _gpus, _time, _partition, _account, _image, _claim, _mount, _namespace, _command];

    /// <summary>Whether <c>--emit</c> was given.</summary>
    public bool Emitting(ParseResult parse) => parse.GetValue(_emit) is not null;

    /// <summary>Writes the job for <paramref name="grid"/>'s cells in <paramref name="folder"/>; returns the line that tells how to submit it.</summary>
    /// <exception cref="GiGpoNetConfigurationException">An option is missing or out of range.</exception>
    public async Task<string> EmitAsync(ParseResult parse, AblationGrid grid, string gridFile, string folder, int? maxRunning, int? attempts,
        IReadOnlyList<string> launcher, TextWriter output)
    {
        var kind = parse.GetValue(_emit)!.ToLowerInvariant();
        if (kind is not ("slurm" or "kubernetes"))
            throw new GiGpoNetConfigurationException($"--emit {parse.GetValue(_emit)}: the schedulers are 'slurm' and 'kubernetes'.");
        var (cpus, memory, gpus, minutes) = (parse.GetValue(_cpus), parse.GetValue(_memory), parse.GetValue(_gpus), parse.GetValue(_time));
        if (cpus < 1) throw new GiGpoNetConfigurationException("--cpus-per-cell must be at least 1.");
        if (memory < 1) throw new GiGpoNetConfigurationException("--memory-gb-per-cell must be at least 1.");
        if (gpus < 0) throw new GiGpoNetConfigurationException("--gpus-per-cell must be 0 or more.");
        if (minutes is < 1) throw new GiGpoNetConfigurationException("--time-limit-minutes must be at least 1.");
        if (parse.GetValue(_file) is { } target) CheckEmitFile(target, parse.GetValue(_overwrite), grid, gridFile);

        var program = parse.GetValue(_command) is { } given ? given.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : kind == "slurm" ? launcher : ["gigpo"];
        if (program.Count == 0)
            throw new GiGpoNetConfigurationException("--gigpo-command is empty; give how a task starts gigpo, for example 'gigpo' or 'dotnet /opt/gigpo/gigpo.dll'.");
        List<string> command = [.. program, "ablate", "--grid", gridFile, "--output", folder, "--cell"];
        if (attempts is { } a) command.AddRange(["--attempts", a.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var job = new ClusterArrayJob
        {
            Name = "gigpo-" + AblationGrid.Slug(grid.Name), Cells = grid.Cells().Count, Command = command, MaxRunning = maxRunning,
            CpusPerCell = cpus, MemoryGiBPerCell = memory, GpusPerCell = gpus, TimeLimitMinutes = minutes,
            Environment = new Dictionary<string, string> { ["Backend__Threads"] = cpus.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };

        string text, submit;
        if (kind == "slurm")
        {
            var logs = Path.Combine(folder, "slurm-logs");
            text = SlurmArrayScript.Write(job, new SlurmArraySettings { LogFolder = logs, Partition = parse.GetValue(_partition), Account = parse.GetValue(_account) });
            Directory.CreateDirectory(logs); // sbatch does not create the folder of --output, and a task with nowhere to write fails unseen
            submit = $"sbatch {parse.GetValue(_file) ?? "<file>"}";
        }
        else
        {
            var image = parse.GetValue(_image) ?? throw new GiGpoNetConfigurationException("--emit kubernetes needs --image (a container image with gigpo in it).");
            var claim = parse.GetValue(_claim) ?? throw new GiGpoNetConfigurationException("--emit kubernetes needs --volume-claim (the PersistentVolumeClaim the pods share).");
            var mount = parse.GetValue(_mount) ?? throw new GiGpoNetConfigurationException(
                "--emit kubernetes needs --mount-path (where the claim is mounted, here and in each pod; the grid and --output lie under it).");
            mount = Path.GetFullPath(mount);
            var under = Path.EndsInDirectorySeparator(mount) ? mount : mount + Path.DirectorySeparatorChar; // "/" is its own prefix
            foreach (var (what, path) in SharedPaths(grid, gridFile, folder))
                if (!Path.GetFullPath(path).StartsWith(under, StringComparison.Ordinal))
                    throw new GiGpoNetConfigurationException($"--emit kubernetes: {what} '{path}' is not under --mount-path '{mount}', so the pods cannot see it; " +
                        "put it on the shared volume.");
            text = KubernetesIndexedJob.Write(job, new KubernetesJobSettings
            {
                Image = image, VolumeClaim = claim, MountPath = mount, Namespace = parse.GetValue(_namespace),
            });
            submit = $"kubectl apply -f {parse.GetValue(_file) ?? "<file>"}";
        }

        if (parse.GetValue(_file) is { } file) await File.WriteAllTextAsync(file, text);
        else await output.WriteAsync(text);
        return $"{job.Cells} cells as one {(kind == "slurm" ? "Slurm array job" : "Kubernetes Indexed Job")}; submit it with `{submit}`, then read " +
               $"{Path.Combine(folder, "results.md")} (each task updates it as its cell ends; `gigpo report {folder}` rebuilds it).";
    }

    /// <summary>Refuses to replace a file that exists unless asked, and the grid's own files always.</summary>
    private static void CheckEmitFile(string file, bool overwrite, AblationGrid grid, string gridFile)
    {
        var target = Path.GetFullPath(file);
        foreach (var (what, path) in SharedPaths(grid, gridFile, folder: ""))
            if (path.Length > 0 && string.Equals(Path.GetFullPath(path), target, StringComparison.Ordinal))
                throw new GiGpoNetConfigurationException($"--emit-file '{file}' is {what}: write the job to another file.");
        if (Directory.Exists(target)) throw new GiGpoNetConfigurationException($"--emit-file '{file}' is a folder: give a file's path.");
        if (File.Exists(target) && !overwrite)
            throw new GiGpoNetConfigurationException($"--emit-file '{file}' exists: add --overwrite to replace it, or give a new file.");
    }

    /// <summary>The files every pod reads or writes: the grid, its settings file and plugins, the output folder.</summary>
    private static IEnumerable<(string What, string Path)> SharedPaths(AblationGrid grid, string gridFile, string folder)
    {
        yield return ("the grid file", gridFile);
        if (grid.SettingsFile is { } settings) yield return ("the settings file", settings);
        foreach (var (key, value) in grid.Base)
            if (key.StartsWith("Plugins:", StringComparison.OrdinalIgnoreCase)) yield return ("the plugin", value);
        yield return ("the output folder", folder);
    }
}
