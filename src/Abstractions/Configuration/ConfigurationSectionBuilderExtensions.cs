using GiGpoNet;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Declares the configuration sections a package reads: the known sections, and what a run's <c>configuration.json</c> records.</summary>
public static class ConfigurationSectionBuilderExtensions
{
    /// <summary>
    /// Binds the top-level section <paramref name="name"/> to <typeparamref name="TOptions"/> strictly (an unknown key or a value that does
    /// not convert is an error that names it), validates it at start-up and declares it, so that a run's <c>configuration.json</c>
    /// records the bound options. Chain validation on the result (<c>.Validate(...)</c>, or register an
    /// <see cref="IValidateOptions{TOptions}"/>). A second call for the same section returns its builder without binding again.
    /// </summary>
    public static OptionsBuilder<TOptions> AddConfigurationSection<TOptions>(this IGiGpoNetBuilder builder, string name) where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<TOptions>();
        if (!Declare(builder, new ConfigurationSectionDeclaration(name, typeof(TOptions), SectionRecording.Options, []))) return options;
        var section = builder.Configuration.GetSection(name);
        return options.Configure(o => StrictConfigurationBinder.Bind(section, o)).ValidateOnStart();
    }

    /// <summary>
    /// As <see cref="AddConfigurationSection{TOptions}(IGiGpoNetBuilder, string)"/>, with <paramref name="validate"/> registered as the
    /// options' <see cref="IValidateOptions{TOptions}"/>: it lists what is wrong, one sentence each, and start-up reports every one.
    /// </summary>
    public static OptionsBuilder<TOptions> AddConfigurationSection<TOptions>(this IGiGpoNetBuilder builder, string name,
        Func<TOptions, IEnumerable<string>> validate) where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(validate);
        var options = builder.AddConfigurationSection<TOptions>(name);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new FailureListValidator<TOptions>(validate)));
        return options;
    }

    /// <summary>
    /// Declares the top-level section <paramref name="name"/> without binding it (a package that reads keyed children, such as
    /// <c>RemoteEnvironments:&lt;name&gt;</c>, binds them itself); <paramref name="secretKeys"/> never reach a run's files.
    /// </summary>
    public static IGiGpoNetBuilder AddConfigurationSection(this IGiGpoNetBuilder builder, string name, SectionRecording recording, params string[] secretKeys)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Declare(builder, new ConfigurationSectionDeclaration(name, null, recording, secretKeys));
        return builder;
    }

    private static bool Declare(IGiGpoNetBuilder builder, ConfigurationSectionDeclaration declaration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(declaration.Name);
        if (declaration.Name.Contains(':', StringComparison.Ordinal))
            throw new ArgumentException($"'{declaration.Name}' is not a top-level section name.", nameof(declaration));
        var existing = builder.Services.Where(d => d.ServiceType == typeof(ConfigurationSectionDeclaration) && !d.IsKeyedService)
            .Select(d => d.ImplementationInstance).OfType<ConfigurationSectionDeclaration>()
            .FirstOrDefault(d => string.Equals(d.Name, declaration.Name, StringComparison.OrdinalIgnoreCase));
        if (existing is not null)
        {
            if (existing.OptionsType != declaration.OptionsType)
                throw new InvalidOperationException($"The configuration section '{declaration.Name}' is declared twice, for {existing.OptionsType?.Name ?? "no options"} and " +
                                                    $"{declaration.OptionsType?.Name ?? "no options"}: a section belongs to one package.");
            return false;
        }
        builder.Services.AddSingleton(declaration);
        return true;
    }
}
