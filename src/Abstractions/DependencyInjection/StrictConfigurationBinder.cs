using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace GiGpoNet;

/// <summary>
/// Binds a configuration section to an options object and refuses what the default binder silently ignores:
/// a key that matches no property (a typo means "ran the baseline by accident" in an ablation), and a value that does not convert.
/// </summary>
internal static class StrictConfigurationBinder
{
    /// <summary>Binds <paramref name="section"/> onto <paramref name="options"/>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">A key is unknown or a value does not convert; the message names the full key.</exception>
    public static void Bind(IConfigurationSection section, object options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var properties = BindableProperties(options.GetType());
        foreach (var child in section.GetChildren())
        {
            if (!properties.Any(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase)))
                throw new GiGpoNetConfigurationException(
                    $"{child.Path} is not a known setting. Known keys under {section.Path}: {string.Join(", ", properties.Select(p => p.Name))}.");
        }

        foreach (var property in properties)
        {
            var child = section.GetSection(property.Name);
            if (child.Value is null)
            {
                if (!child.GetChildren().Any()) continue;
                if (IsNestedOptions(property.PropertyType))
                {
                    // A subsection (Policy:Lora:Rank): bound as strictly as its parent, onto the default object when there is one.
                    var nested = property.GetValue(options) ?? Activator.CreateInstance(property.PropertyType)!;
                    Bind(child, nested);
                    property.SetValue(options, nested);
                    continue;
                }
                if (!IsList(property.PropertyType))
                    throw new GiGpoNetConfigurationException($"{child.Path} is given as a list or an object ({string.Join(", ", child.GetChildren()
                        .Select(c => c.Key))}), but it takes one {Describe(property.PropertyType)}: write a single value.");
            }
            object? value;
            try
            {
                value = child.Get(property.PropertyType);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
            {
                var reason = Innermost(e).Message;
                throw new GiGpoNetConfigurationException(
                    $"{child.Path} = '{child.Value}' is not a valid {Describe(property.PropertyType)}: {reason}", e);
            }
            // NaN and infinities pass every range check written as a comparison, and no setting means them.
            if (value is double and (double.NaN or double.PositiveInfinity or double.NegativeInfinity) || value is float f && !float.IsFinite(f))
                throw new GiGpoNetConfigurationException($"{child.Path} = '{child.Value}' is not a finite number; give a number such as 0.5.");
            property.SetValue(options, value);
        }
    }

    /// <summary>The public read-write properties that configuration can set.</summary>
    public static IReadOnlyList<PropertyInfo> BindableProperties(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic)];

    /// <summary>A class of settings of its own, not a value or a list (a list binds from <c>Key:0</c>, <c>Key:1</c>, ... as a whole).</summary>
    private static bool IsNestedOptions(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type.GetConstructor(Type.EmptyTypes) is not null;

    private static bool IsList(Type type) => type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static string Describe(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(double) || underlying == typeof(float) ? "number"
            : underlying == typeof(int) || underlying == typeof(long) ? "whole number"
            : underlying == typeof(bool) ? "boolean (true or false)"
            : underlying.IsEnum ? $"{underlying.Name} (one of {string.Join(", ", Enum.GetNames(underlying))})"
            : underlying.Name;
    }
}
