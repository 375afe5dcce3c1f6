using System.Text.Json;
using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace GiGpoNet.Hosting.Advantages;

/// <summary>
/// Computes advantages for a step-row JSON Lines file and writes one line per input row, in input order: the input's fields,
/// then <c>adv</c> (null for inactive rows) and the estimator's diagnostic columns (for GiGPO <c>episode_adv</c>, <c>step_adv</c>,
/// <c>step_return</c>, <c>step_group_size</c>). The output appears whole or not at all: it is written to a temporary file
/// next to the destination and renamed.
/// </summary>
internal sealed class AdvantageFileJob(IAdvantageEstimatorProvider estimators, AdvantageEstimatorRegistry registry)
{
    /// <summary>Runs the estimator named <paramref name="algorithm"/> over <paramref name="inputPath"/>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">The algorithm is unknown.</exception>
    /// <exception cref="StepRowFileException">The input is malformed, or an advantage is not finite.</exception>
    /// <exception cref="ArgumentException">The input lacks what the estimator needs (for example critic values for ppo).</exception>
    public AdvantageFileSummary Run(string algorithm, string inputPath, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(outputPath);
        var (file, result, elapsed) = Estimate(algorithm, inputPath);
        WriteAtomically(outputPath, stream => Write(stream, file, result));
        var stepGroups = result.Metrics.TryGetValue("step_groups", out var k) ? (int)k : 0;
        return new AdvantageFileSummary(file.Batch.RowCount, file.Batch.GroupCount, stepGroups, elapsed.TotalMilliseconds)
        {
            StepGroupActions = result.Metrics.Where(m => Training.MetricNames.StepGroupActions.Contains(m.Key)).ToDictionary(m => m.Key, m => m.Value),
        };
    }

    /// <summary>
    /// Reads <paramref name="inputPath"/> as the estimator named <paramref name="algorithm"/> needs it and computes its advantages, every
    /// one finite; <see cref="Run"/> writes them, and hosts read them (as IDataView, for example).
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">The algorithm is unknown.</exception>
    /// <exception cref="StepRowFileException">The input is malformed, or an advantage is not finite.</exception>
    /// <exception cref="ArgumentException">The input lacks what the estimator needs (for example critic values for ppo).</exception>
    public (StepRowFile File, AdvantageResult Result, TimeSpan Elapsed) Estimate(string algorithm, string inputPath)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        var registration = registry.Get(algorithm);
        var estimator = estimators.Get(registration.Name);
        var file = StepRowFile.Read(inputPath, requireAnchors: estimator.RequiredFields.HasFlag(RolloutFields.Anchors));
        var missing = estimator.RequiredFields & ~file.Batch.Fields;
        if (missing.HasFlag(RolloutFields.CriticValues))
            throw new ArgumentException(
                $"'{registration.Name}' needs the critic's values: give each row a \"values\" array with one critic value per response token.");

        var (result, elapsed) = new TimedEstimation(estimator).Estimate(file.Batch);
        RequireFinite(result, file);
        return (file, result, elapsed);
    }

    /// <summary>Refuses a result with a non-finite advantage (a γ above 1 over a long trajectory can overflow), naming its line.</summary>
    private static void RequireFinite(AdvantageResult result, StepRowFile file)
    {
        for (var row = 0; row < file.Batch.RowCount; row++)
        {
            var finite = result.RowAdvantages is not null ? double.IsFinite(result.RowAdvantage(row))
                : result.TokenAdvantages is { } tokens && AllFinite(tokens[row]);
            if (!finite)
                throw new StepRowFileException(file.LineNumbers[row],
                    "its advantage is not a finite number: the returns overflowed (with a discount above 1?); scale the rewards down or lower gamma.");
        }
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
            if (!double.IsFinite(value)) return false;
        return true;
    }

    private static void Write(Stream stream, StepRowFile file, AdvantageResult result)
    {
        var batch = file.Batch;
        var perTokenArrays = result.RowAdvantages is null && batch.ResponseTokenIds is not null;
        var written = new HashSet<string>(StringComparer.Ordinal) { "adv", "returns" };
        foreach (var column in result.Columns) written.Add(column.Name);

        using var writer = new Utf8JsonWriter(stream);
        for (var row = 0; row < batch.RowCount; row++)
        {
            using var document = JsonDocument.Parse(file.Lines[row]);
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
                if (!written.Contains(property.Name)) property.WriteTo(writer);

            var active = batch.Active[row];
            writer.WritePropertyName("adv");
            if (!active) writer.WriteNullValue();
            else if (perTokenArrays) WriteArray(writer, result.TokenAdvantages![row]);
            else writer.WriteNumberValue(result.RowAdvantage(row));

            if (result.TokenReturns is { } returns && perTokenArrays)
            {
                writer.WritePropertyName("returns");
                if (active) WriteArray(writer, returns[row]);
                else writer.WriteNullValue();
            }

            foreach (var column in result.Columns)
            {
                writer.WritePropertyName(column.Name);
                if (active) writer.WriteNumberValue(column.Values[row]);
                else writer.WriteNullValue();
            }
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
        }
    }

    private static void WriteArray(Utf8JsonWriter writer, ReadOnlySpan<double> values)
    {
        writer.WriteStartArray();
        foreach (var value in values) writer.WriteNumberValue(value);
        writer.WriteEndArray();
    }

    /// <summary>Writes through a temporary file in the destination's folder and renames it over the destination when done.</summary>
    private static void WriteAtomically(string path, Action<Stream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The output folder '{folder}' does not exist; create it or choose another --output.");
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
