using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Model;

/// <summary>Reads one field of a model's JSON file; a value of the wrong JSON type is a configuration error that names the field.</summary>
internal static class ConfigValue
{
    /// <summary>The value of <paramref name="key"/> as <typeparamref name="T"/>.</summary>
    /// <param name="node">The field's value.</param>
    /// <param name="key">The field's name, for the message.</param>
    /// <param name="where">The file, for the message (<c>'path/config.json'</c>).</param>
    /// <exception cref="GiGpoNetConfigurationException">The value is of another JSON type.</exception>
    public static T As<T>(JsonNode node, string key, string where)
    {
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            var text = node.ToJsonString();
            throw new GiGpoNetConfigurationException($"{where}: {key} is {(text.Length > 60 ? text[..60] + "..." : text)}, which is not {Kind(typeof(T))}; " +
                "restore the model's file.", e);
        }
    }

    private static string Kind(Type type) =>
        type == typeof(int) || type == typeof(long) ? "a whole number" : type == typeof(double) || type == typeof(float) ? "a number"
        : type == typeof(bool) ? "true or false" : type == typeof(string) ? "a string" : "a " + type.Name;
}
