using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace GiGpoNet.Advantages;

/// <summary>
/// A configuration-friendly enum converter: accepts the member name in any case (<c>MeanStdNorm</c>) and its
/// snake_case form (<c>mean_std_norm</c>), and names the accepted values when it fails.
/// </summary>
/// <typeparam name="TEnum">The enum type.</typeparam>
public class SnakeCaseEnumConverter<TEnum> : EnumConverter where TEnum : struct, Enum
{
    /// <summary>Creates the converter.</summary>
    public SnakeCaseEnumConverter() : base(typeof(TEnum))
    {
    }

    /// <summary>The snake_case name of a member (<c>MeanStdNorm</c> → <c>mean_std_norm</c>).</summary>
    public static string SnakeCase(TEnum value)
    {
        var name = value.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    /// <summary>Parses a member from its name or snake_case name, ignoring case.</summary>
    public bool TryParse(string? text, out TEnum value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        foreach (var member in Enum.GetValues<TEnum>())
        {
            if (string.Equals(text, member.ToString(), StringComparison.OrdinalIgnoreCase)
                || string.Equals(text, SnakeCase(member), StringComparison.OrdinalIgnoreCase))
            {
                value = member;
                return true;
            }
        }
        return TryConvertOther(text, out value);
    }

    /// <summary>Hook for extra spellings (for example a boolean the reference implementation uses).</summary>
    protected virtual bool TryConvertOther(string text, out TEnum value)
    {
        value = default;
        return false;
    }

    /// <inheritdoc />
    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is string text)
        {
            if (TryParse(text, out var parsed)) return parsed;
            var accepted = string.Join(", ", Enum.GetValues<TEnum>().Select(SnakeCase));
            throw new FormatException($"'{text}' is not a valid {typeof(TEnum).Name}; use one of: {accepted}.");
        }
        return base.ConvertFrom(context, culture, value)!;
    }
}
