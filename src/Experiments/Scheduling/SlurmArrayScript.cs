using System.Globalization;
using System.Text;

namespace GiGpoNet.Experiments.Scheduling;

/// <summary>Writes a <see cref="ClusterArrayJob"/> as an <c>sbatch</c> script: one array task per cell (<c>#SBATCH --array=0-&lt;cells-1&gt;</c>).</summary>
public static class SlurmArrayScript
{
    /// <summary>
    /// The script's text; submit it with <c>sbatch &lt;file&gt;</c>. The command and environment are single-quoted for bash; a directive's
    /// value is written only where Slurm reads it as one value (names of letters, digits and <c>_.,:+-</c>; a log folder without quotes,
    /// backslashes, <c>%</c> or control characters, double-quoted where it has spaces).
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">A partition, account or log folder that a directive cannot hold.</exception>
    public static string Write(ClusterArrayJob job, SlurmArraySettings settings)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(settings);
        CheckName("--partition", settings.Partition);
        CheckName("--account", settings.Account);
        var logs = Path.Combine(settings.LogFolder, "%A_%a.out");
        if (settings.LogFolder.Any(c => char.IsControl(c) || c is '"' or '\\' or '%'))
            throw new GiGpoNetConfigurationException($"The Slurm log folder {Printable(settings.LogFolder)} (under --output) holds a quote, backslash, % or " +
                "control character, which an #SBATCH --output line cannot hold: choose an --output folder without them.");
        var text = new StringBuilder("#!/bin/bash\n");
        void Directive(string value) => text.Append("#SBATCH ").Append(value).Append('\n');
        Directive($"--job-name={SafeName(job.Name)}");
        Directive(Invariant($"--array=0-{job.Cells - 1}{(job.MaxRunning is { } p ? Invariant($"%{p}") : "")}"));
        Directive(Invariant($"--cpus-per-task={job.CpusPerCell}"));
        Directive(Invariant($"--mem={job.MemoryGiBPerCell}G"));
        if (job.GpusPerCell > 0) Directive(Invariant($"--gpus-per-task={job.GpusPerCell}"));
        if (job.TimeLimitMinutes is { } minutes) Directive(Invariant($"--time={minutes}"));
        if (settings.Partition is { } partition) Directive($"--partition={partition}");
        if (settings.Account is { } account) Directive($"--account={account}");
        Directive($"--output={(logs.Contains(' ', StringComparison.Ordinal) ? $"\"{logs}\"" : logs)}");
        text.Append("# Task i trains the grid's cell i; a task run again resumes its cell from its checkpoint.\n");
        text.Append("set -euo pipefail\n");
        foreach (var (name, value) in job.Environment) text.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
        text.Append("exec ").AppendJoin(' ', job.Command.Select(Quote)).Append('\n');
        return text.ToString();
    }

    /// <summary>Single-quotes <paramref name="value"/> for bash (an embedded quote as <c>'\''</c>).</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void CheckName(string option, string? value)
    {
        if (value is not null && (value.Length == 0 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ',' or ':' or '+' or '-')))
            throw new GiGpoNetConfigurationException($"{option} {Printable(value)} is not a Slurm name: use letters, digits and _ . , : + - only.");
    }

    /// <summary>A value as a message shows it: quoted, with control characters escaped, so that a newline cannot break the line.</summary>
    private static string Printable(string value) =>
        "'" + string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) + "'";

    private static string SafeName(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
