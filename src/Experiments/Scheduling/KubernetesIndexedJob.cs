using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace GiGpoNet.Experiments.Scheduling;

/// <summary>
/// Writes a <see cref="ClusterArrayJob"/> as a Kubernetes Indexed Job (<c>completionMode: Indexed</c>, one completion per cell; each
/// pod reads its cell from <c>JOB_COMPLETION_INDEX</c>), every pod mounting one shared volume. A pod that exits 1 or 2 (the cell's run or
/// configuration is wrong) fails its index at once; other failures are retried <see cref="KubernetesJobSettings.RetriesPerCell"/> times.
/// </summary>
public static class KubernetesIndexedJob
{
    private static readonly JsonSerializerOptions Strings = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The manifest (YAML); apply it with <c>kubectl apply -f &lt;file&gt;</c>.</summary>
    public static string Write(ClusterArrayJob job, KubernetesJobSettings settings)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(settings);
        var resources = new List<(string, string)> { ("cpu", Number(job.CpusPerCell)), ("memory", Number(job.MemoryGiBPerCell) + "Gi") };
        if (job.GpusPerCell > 0) resources.Add(("nvidia.com/gpu", Number(job.GpusPerCell)));
        var yaml = new StringBuilder();
        void Line(int indent, string text) => yaml.Append(' ', indent).Append(text).Append('\n');
        Line(0, "apiVersion: batch/v1");
        Line(0, "kind: Job");
        Line(0, "metadata:");
        Line(2, $"name: {Quote(ObjectName(job.Name))}");
        if (settings.Namespace is { } ns) Line(2, $"namespace: {Quote(ns)}");
        Line(2, "labels:");
        Line(4, $"app.kubernetes.io/name: gigpo-ablate");
        Line(0, "spec:");
        Line(2, "completionMode: Indexed");
        Line(2, $"completions: {Number(job.Cells)}");
        Line(2, $"parallelism: {Number(job.MaxRunning ?? job.Cells)}");
        Line(2, $"backoffLimitPerIndex: {Number(settings.RetriesPerCell)}");
        Line(2, "podFailurePolicy:");
        Line(4, "rules:");
        Line(4, "- action: FailIndex");
        Line(6, "onExitCodes:");
        Line(8, "containerName: cell");
        Line(8, "operator: In");
        Line(8, "values: [1, 2]");
        Line(2, "template:");
        Line(4, "spec:");
        Line(6, "restartPolicy: Never");
        if (job.TimeLimitMinutes is { } minutes) Line(6, $"activeDeadlineSeconds: {Number(minutes * 60L)}");
        Line(6, "containers:");
        Line(6, "- name: cell");
        Line(8, $"image: {Quote(settings.Image)}");
        Line(8, $"command: [{string.Join(", ", job.Command.Select(Quote))}]");
        if (job.Environment.Count > 0)
        {
            Line(8, "env:");
            foreach (var (name, value) in job.Environment)
            {
                Line(8, $"- name: {Quote(name)}");
                Line(10, $"value: {Quote(value)}");
            }
        }
        Line(8, "resources:");
        foreach (var kind in new[] { "requests", "limits" })
        {
            Line(10, $"{kind}:");
            foreach (var (name, value) in resources) Line(12, $"{Quote(name)}: {Quote(value)}");
        }
        Line(8, "volumeMounts:");
        Line(8, "- name: shared");
        Line(10, $"mountPath: {Quote(settings.MountPath)}");
        Line(6, "volumes:");
        Line(6, "- name: shared");
        Line(8, "persistentVolumeClaim:");
        Line(10, $"claimName: {Quote(settings.VolumeClaim)}");
        return yaml.ToString();
    }

    /// <summary>A YAML double-quoted scalar (JSON's string syntax is YAML's).</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value, Strings);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An RFC 1123 label: lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit.</summary>
    private static string ObjectName(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var label = new string(chars).Trim('-');
        while (label.Contains("--", StringComparison.Ordinal)) label = label.Replace("--", "-", StringComparison.Ordinal);
        label = label.Length > 63 ? label[..63].TrimEnd('-') : label;
        return label.Length > 0 ? label : "gigpo-ablate";
    }
}
