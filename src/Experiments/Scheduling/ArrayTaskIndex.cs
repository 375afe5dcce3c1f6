using System.Globalization;

namespace GiGpoNet.Experiments.Scheduling;

/// <summary>The index a cluster scheduler gives an array task: Slurm's <c>SLURM_ARRAY_TASK_ID</c>, or a Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c>.</summary>
public static class ArrayTaskIndex
{
    /// <summary>The variables read, in order.</summary>
    public static IReadOnlyList<string> Variables { get; } = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

    /// <summary>The index from the first of <see cref="Variables"/> that <paramref name="environment"/> sets.</summary>
    /// <param name="environment">Reads a variable (null when unset), for example <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <exception cref="GiGpoNetConfigurationException">None is set, or the value is not a whole number of at least 0.</exception>
    public static int Read(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var variable in Variables)
        {
            if (environment(variable) is not { } text || text.Length == 0) continue;
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index
                : throw new GiGpoNetConfigurationException($"{variable}='{text}' is not a cell index (a whole number from 0).");
        }
        throw new GiGpoNetConfigurationException($"--cell without a value takes the index from {string.Join(" or ", Variables)}, and neither is set; " +
            "give the index (--cell 3), or run it as a task of the job that --emit writes.");
    }
}
