using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using GiGpoNet.Advantages;

namespace GiGpoNet.Backend.Devices;

/// <summary>The dtype of the model's weights and computation (<c>Backend:Dtype</c>).</summary>
[TypeConverter(typeof(ModelDtypeConverter))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "PyTorch's dtype names, as configuration writes them.")]
public enum ModelDtype
{
    /// <summary><c>float32</c> (also <c>fp32</c>).</summary>
    Float32,

    /// <summary><c>bfloat16</c> (also <c>bf16</c>): half the weights' memory, faster on GPUs; float32 master weights and moments.</summary>
    Bfloat16,

    /// <summary><c>float16</c> (also <c>fp16</c>).</summary>
    Float16,
}

/// <summary>Accepts <c>float32</c>, <c>bfloat16</c>, <c>float16</c> in any case and the short names <c>fp32</c>, <c>bf16</c>, <c>fp16</c>.</summary>
public sealed class ModelDtypeConverter : SnakeCaseEnumConverter<ModelDtype>
{
    /// <inheritdoc />
    protected override bool TryConvertOther(string text, out ModelDtype value)
    {
        (var known, value) = text.ToLowerInvariant() switch
        {
            "fp32" => (true, ModelDtype.Float32),
            "bf16" => (true, ModelDtype.Bfloat16),
            "fp16" => (true, ModelDtype.Float16),
            _ => (false, default),
        };
        return known;
    }
}

/// <summary>Writes a <see cref="ModelDtype"/> as PyTorch names it (<c>bfloat16</c>), so that a run's configuration.json reads as before.</summary>
internal sealed class ModelDtypeJsonConverter : JsonConverter<ModelDtype>
{
    public override ModelDtype Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new ModelDtypeConverter().TryParse(reader.GetString(), out var value) ? value : throw new JsonException($"'{reader.GetString()}' is not a dtype.");

    public override void Write(Utf8JsonWriter writer, ModelDtype value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(SnakeCaseEnumConverter<ModelDtype>.SnakeCase(value));
    }
}
