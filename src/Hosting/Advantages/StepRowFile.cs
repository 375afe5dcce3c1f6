using System.Text.Json;
using GiGpoNet.Data;

namespace GiGpoNet.Hosting.Advantages;

/// <summary>
/// A JSON Lines file of step rows, one object a line:
/// <c>{"group": str, "traj": str, "step": int, "anchor": str, "action": str, "reward": number, "active": bool, "action_valid": bool, "values": [number]}</c>.
/// <c>active</c> and <c>action_valid</c> default to true; <c>anchor</c> is needed by estimators that group by anchor state;
/// <c>action</c> (optional, on every row or none) gives GiGPO's diagnostic of how many actions its step groups compare;
/// <c>values</c> (critic values, one per response token) by PPO. Other fields are kept and echoed. Blank lines are skipped.
/// Rows may come in any order; within a trajectory, <c>step</c> orders the steps.
/// </summary>
public sealed class StepRowFile
{
    private StepRowFile(RolloutBatch batch, string[] lines, int[] lineNumbers)
    {
        Batch = batch;
        Lines = lines;
        LineNumbers = lineNumbers;
    }

    /// <summary>The rows as a batch, in file order.</summary>
    public RolloutBatch Batch { get; }

    /// <summary>The text of each row's line, in batch row order.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The 1-based line number of each row.</summary>
    public IReadOnlyList<int> LineNumbers { get; }

    /// <summary>Reads and validates a step-row file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="requireAnchors">Whether every row must have an <c>anchor</c>.</param>
    /// <exception cref="StepRowFileException">A line is malformed, misses a field, or makes the batch inconsistent.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static StepRowFile Read(string path, bool requireAnchors)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The input file '{Path.GetFullPath(path)}' does not exist.", path);

        var lines = new List<string>();
        var lineNumbers = new List<int>();
        var builder = new RolloutBatchBuilder { DescribeRow = row => $"line {lineNumbers[row]}" };
        var lineNumber = 0;
        var returns = new Dictionary<(string, string), double>();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var buffer = new List<byte>();
        while (ReadLine(stream, buffer, lineNumber + 1) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            lines.Add(line);
            lineNumbers.Add(lineNumber);
            try
            {
                var row = ParseRow(line, lineNumber, requireAnchors);
                var key = (row.GroupId, row.TrajectoryId);
                var sum = returns.GetValueOrDefault(key) + row.Reward;
                if (!double.IsFinite(sum))
                    throw new StepRowFileException(lineNumber, $"the rewards of trajectory '{row.TrajectoryId}' add up past the largest number a double holds; scale them down.");
                returns[key] = sum;
                builder.Add(row);
            }
            catch (InvalidRolloutBatchException e)
            {
                throw new StepRowFileException(lineNumbers[e.RowIndex], e.Message, e);
            }
        }
        if (lines.Count == 0) throw new StepRowFileException(Math.Max(1, lineNumber), "the input holds no step rows (one JSON object per line).");

        try
        {
            return new StepRowFile(builder.Build(), [.. lines], [.. lineNumbers]);
        }
        catch (InvalidRolloutBatchException e)
        {
            throw new StepRowFileException(lineNumbers[e.RowIndex], e.Message, e);
        }
    }

    /// <summary>The longest line read (16 MiB): a longer one is refused while it is read, so memory stays bounded.</summary>
    private const int MaxLineBytes = 16 << 20;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// The next line (null at the end), decoded on its own so that an error names its line: refused when it is not valid UTF-8 (a
    /// replaced byte could merge two anchors into one step group) or longer than <see cref="MaxLineBytes"/>.
    /// </summary>
    private static string? ReadLine(Stream stream, List<byte> bytes, int lineNumber)
    {
        bytes.Clear();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n')
        {
            if (bytes.Count == MaxLineBytes)
                throw new StepRowFileException(lineNumber, $"the line is longer than {MaxLineBytes:N0} bytes, more than any step row needs.");
            bytes.Add((byte)b);
        }
        if (b < 0 && bytes.Count == 0) return null;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        if (lineNumber == 1 && span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..]; // a byte-order mark
        if (span.EndsWith((ReadOnlySpan<byte>)[(byte)'\r'])) span = span[..^1];
        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new StepRowFileException(lineNumber, "the line is not valid UTF-8; write the file as UTF-8.", e);
        }
    }

    private static StepRow ParseRow(string line, int lineNumber, bool requireAnchors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, Strict);
        }
        catch (JsonException e)
        {
            throw new StepRowFileException(lineNumber, $"not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new StepRowFileException(lineNumber, $"expected a JSON object, found {Describe(root.ValueKind)}.");

            var group = RequiredString(root, "group", lineNumber);
            var trajectory = RequiredString(root, "traj", lineNumber);
            var step = RequiredStep(root, lineNumber);
            var reward = RequiredReward(root, lineNumber);
            var anchor = OptionalString(root, "anchor", lineNumber);
            if (requireAnchors && anchor is null)
                throw new StepRowFileException(lineNumber, "missing field 'anchor' (the raw observation of the step), which this algorithm groups steps by.");

            float[]? values = null;
            if (root.TryGetProperty("values", out var valuesElement) && valuesElement.ValueKind != JsonValueKind.Null)
                values = ParseValues(valuesElement, lineNumber);

            return new StepRow
            {
                GroupId = group,
                TrajectoryId = trajectory,
                StepIndex = step,
                Anchor = anchor,
                Action = OptionalString(root, "action", lineNumber),
                Reward = reward,
                Active = OptionalBool(root, "active", lineNumber) ?? true,
                ActionValid = OptionalBool(root, "action_valid", lineNumber) ?? true,
                CriticValues = values,
                // A row with critic values is a response of that many tokens; the ids themselves are not needed here.
                ResponseTokenIds = values is null ? null : new int[values.Length],
            };
        }
    }

    private static string RequiredString(JsonElement root, string name, int line)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            throw new StepRowFileException(line, $"missing field '{name}'.");
        if (value.ValueKind != JsonValueKind.String)
            throw new StepRowFileException(line, $"field '{name}' must be a string, found {Describe(value.ValueKind)}.");
        return value.GetString()!;
    }

    private static string? OptionalString(JsonElement root, string name, int line)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new StepRowFileException(line, $"field '{name}' must be a string, found {Describe(value.ValueKind)}.");
        return value.GetString();
    }

    private static bool? OptionalBool(JsonElement root, string name, int line)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new StepRowFileException(line, $"field '{name}' must be true or false, found {Describe(value.ValueKind)}."),
        };
    }

    private static int RequiredStep(JsonElement root, int line)
    {
        if (!root.TryGetProperty("step", out var value) || value.ValueKind == JsonValueKind.Null)
            throw new StepRowFileException(line, "missing field 'step'.");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var step))
            throw new StepRowFileException(line, $"field 'step' must be a whole number, found {value.GetRawText()}.");
        if (step < 0) throw new StepRowFileException(line, $"field 'step' is {step}; it must be 0 or more.");
        return step;
    }

    private static double RequiredReward(JsonElement root, int line)
    {
        if (!root.TryGetProperty("reward", out var value) || value.ValueKind == JsonValueKind.Null)
            throw new StepRowFileException(line, "missing field 'reward'.");
        if (value.ValueKind != JsonValueKind.Number)
            throw new StepRowFileException(line, $"field 'reward' must be a number, found {value.GetRawText()}.");
        if (!value.TryGetDouble(out var reward) || !double.IsFinite(reward))
            throw new StepRowFileException(line, $"field 'reward' is {value.GetRawText()}, which is not a finite number.");
        return reward;
    }

    private static float[] ParseValues(JsonElement element, int line)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw new StepRowFileException(line, $"field 'values' must be an array of numbers (one critic value per response token), found {Describe(element.ValueKind)}.");
        var values = new float[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var v) || !float.IsFinite((float)v))
                throw new StepRowFileException(line, $"field 'values' item {i} is {item.GetRawText()}, which is not a finite number.");
            values[i++] = (float)v;
        }
        if (values.Length == 0) throw new StepRowFileException(line, "field 'values' is empty; a response has at least one token.");
        return values;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
