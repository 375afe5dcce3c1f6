using System.Reflection;
using GiGpoNet.Advantages;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// Translates <c>name=value</c> settings given with the reference implementation's parameter names (<c>gamma</c>,
/// <c>step_advantage_w</c>, <c>mode</c>, ...) or with the option property names into configuration keys under
/// <c>Algorithms:&lt;algorithm&gt;</c>.
/// </summary>
public static class ReferenceParameters
{
    /// <summary>The configuration key/value pairs for <paramref name="parameters"/>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">A parameter is malformed or unknown; the message lists the accepted names.</exception>
    public static IReadOnlyDictionary<string, string?> ToConfiguration(AdvantageEstimatorRegistration estimator, IEnumerable<string> parameters)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(parameters);
        var names = AcceptedNames(estimator);
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in parameters)
        {
            var equals = parameter.IndexOf('=');
            if (equals <= 0)
                throw new GiGpoNetConfigurationException($"--param '{parameter}' must have the form name=value (for example gamma=0.95).");
            var name = parameter[..equals].Trim();
            var value = parameter[(equals + 1)..].Trim();
            if (!names.TryGetValue(name, out var property))
                throw new GiGpoNetConfigurationException($"--param {name}: '{estimator.Name}' has no such parameter. {DescribeAccepted(estimator)}");
            result[$"{estimator.ConfigurationSection}:{property}"] = value;
        }
        return result;
    }

    private static string DescribeAccepted(AdvantageEstimatorRegistration estimator)
    {
        if (estimator.OptionsType is null) return "It has no options.";
        var properties = StrictConfigurationBinder.BindableProperties(estimator.OptionsType);
        var referenceNames = properties.SelectMany(p => p.GetCustomAttributes<ReferenceParameterAttribute>()).Select(a => a.Name).Order(StringComparer.Ordinal);
        var optionNames = properties.Select(p => p.Name).Order(StringComparer.Ordinal);
        return $"Accepted: the reference names {string.Join(", ", referenceNames)}; or the option names {string.Join(", ", optionNames)}.";
    }

    /// <summary>Every accepted parameter name (reference names and property names) and the property it sets.</summary>
    public static IReadOnlyDictionary<string, string> AcceptedNames(AdvantageEstimatorRegistration estimator)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (estimator.OptionsType is null) return names;
        foreach (var property in StrictConfigurationBinder.BindableProperties(estimator.OptionsType))
        {
            names[property.Name] = property.Name;
            foreach (var reference in property.GetCustomAttributes<ReferenceParameterAttribute>())
                names[reference.Name] = property.Name;
        }
        return names;
    }
}
