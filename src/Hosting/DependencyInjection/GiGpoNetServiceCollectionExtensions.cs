using GiGpoNet;
using GiGpoNet.Advantages;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds GiGPO.NET to a service collection.</summary>
public static class GiGpoNetServiceCollectionExtensions
{
    /// <summary>
    /// Adds the framework's core services and binds the <c>Training</c> section of <paramref name="configuration"/>
    /// (unknown keys are errors). Chain <c>.AddGiGpo()</c>, <c>.AddGrpo()</c>, ... or <see cref="AddBuiltInAlgorithms"/> on the result.
    /// <c>Training:Algorithm</c> is checked against the registered names at start-up.
    /// </summary>
    public static IGiGpoNetBuilder AddGiGpoNet(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AdvantageEstimatorRegistry.From(services);
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<TrainingOptions>)))
        {
            services.AddOptions<TrainingOptions>()
                .Configure(o => StrictConfigurationBinder.Bind(configuration.GetSection(TrainingOptions.SectionName), o))
                .ValidateOnStart();
            services.AddSingleton<IValidateOptions<TrainingOptions>, TrainingOptionsValidator>();
            services.AddTransient<AdvantageFileJob>();
        }
        return new GiGpoNetBuilder(services, configuration);
    }

    /// <summary>Registers every built-in estimator: gigpo, grpo, rloo, reinforce_plus_plus, reinforce_plus_plus_baseline and ppo.</summary>
    public static IGiGpoNetBuilder AddBuiltInAlgorithms(this IGiGpoNetBuilder builder) =>
        builder.AddGiGpo().AddGrpo().AddRloo().AddReinforcePlusPlus().AddReinforcePlusPlusBaseline().AddPpo();

    /// <summary>
    /// Runs every start-up validation (options bound with unknown-key checks, value ranges, <c>Training:Algorithm</c>) now,
    /// before any work, the way the generic host does when it starts.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">Something is wrong; the message has one line per problem.</exception>
    public static IServiceProvider ValidateGiGpoNetConfiguration(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            throw new GiGpoNetConfigurationException(string.Join(Environment.NewLine, e.Failures), e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures);
            throw new GiGpoNetConfigurationException(string.Join(Environment.NewLine, failures), e);
        }
        return services;
    }
}
