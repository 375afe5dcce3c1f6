using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>
/// A micro-batch of (prompt, response) rows as tensors: prompt + response right-padded to one length, the positions whose outputs
/// predict each response token, and the response mask. Per-token row values (log-probs, advantages) are packed to [B, Lr].
/// </summary>
internal sealed class SequenceBatch
{
    private SequenceBatch(Tensor ids, Tensor attention, Tensor predictingPositions, Tensor responseIds, Tensor responseMask, int responseLength)
    {
        Ids = ids;
        Attention = attention;
        PredictingPositions = predictingPositions;
        ResponseIds = responseIds;
        ResponseMask = responseMask;
        ResponseLength = responseLength;
    }

    public Tensor Ids { get; }
    public Tensor Attention { get; }
    public Tensor PredictingPositions { get; }
    public Tensor ResponseIds { get; }
    public Tensor ResponseMask { get; }
    public int ResponseLength { get; }

    public static SequenceBatch Create(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int paddingId, Device device)
    {
        var length = rows.Max(r => r.Prompt.Length + r.Response.Length);
        var responseLength = Math.Max(1, rows.Max(r => r.Response.Length));
        var ids = new long[rows.Count * length];
        var attention = new long[rows.Count * length];
        var positions = new long[rows.Count * responseLength];
        var responseIds = new long[rows.Count * responseLength];
        var mask = new float[rows.Count * responseLength];
        for (var b = 0; b < rows.Count; b++)
        {
            var (prompt, response) = rows[b];
            if (prompt.Length == 0) throw new ArgumentException($"Row {b} has an empty prompt; a response must follow at least one token.");
            Array.Fill(ids, paddingId, b * length, length);
            for (var i = 0; i < prompt.Length; i++) ids[b * length + i] = prompt[i];
            for (var i = 0; i < response.Length; i++) ids[b * length + prompt.Length + i] = response[i];
            Array.Fill(attention, 1, b * length, prompt.Length + response.Length);
            for (var k = 0; k < responseLength; k++)
            {
                positions[b * responseLength + k] = Math.Min(prompt.Length - 1 + k, length - 1);
                responseIds[b * responseLength + k] = k < response.Length ? response[k] : paddingId;
                mask[b * responseLength + k] = k < response.Length ? 1 : 0;
            }
        }
        return new SequenceBatch(
            tensor(ids, [rows.Count, length], device: device), tensor(attention, [rows.Count, length], device: device),
            tensor(positions, [rows.Count, responseLength], device: device), tensor(responseIds, [rows.Count, responseLength], device: device),
            tensor(mask, [rows.Count, responseLength], device: device), responseLength);
    }

    /// <summary>Packs one float per response token per row into [B, Lr] (0 beyond each row's response).</summary>
    public Tensor Pack(IReadOnlyList<float[]> perRow, Device device)
    {
        var values = new float[perRow.Count * ResponseLength];
        for (var b = 0; b < perRow.Count; b++) perRow[b].AsSpan(0, Math.Min(perRow[b].Length, ResponseLength)).CopyTo(values.AsSpan(b * ResponseLength));
        return tensor(values, [perRow.Count, ResponseLength], device: device);
    }

    /// <summary>Hidden states [B, T, H] gathered at the predicting positions: [B, Lr, H].</summary>
    [RequiresDisposeScope]
    public Tensor AtPredictingPositions(Tensor hidden) =>
        hidden.gather(1, PredictingPositions.unsqueeze(-1).expand(-1, -1, hidden.shape[^1]));

    /// <summary>Unpacks [B, Lr] values into one array per row, cut to each row's response length.</summary>
    [RequiresDisposeScope]
    public static float[][] Unpack(Tensor values, IReadOnlyList<int> responseLengths)
    {
        var flat = values.to_type(ScalarType.Float32).cpu().data<float>().ToArray();
        var width = (int)values.shape[1];
        return [.. responseLengths.Select((n, b) => flat.AsSpan(b * width, n).ToArray())];
    }
}
