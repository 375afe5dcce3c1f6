using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Environments.Shop;
using GiGpoNet.Environments.Sokoban;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the built-in environments and the rollout loop's replaceable parts.</summary>
public static class EnvironmentsBuilderExtensions
{
    /// <summary>
    /// Registers <c>household</c>, <c>shop</c> and <c>sokoban</c>. The household's and the shop's options are bound from
    /// <c>Environments:household</c> and <c>Environments:shop</c> (unknown keys are errors) and validated at start-up.
    /// </summary>
    public static IGiGpoNetBuilder AddBuiltInEnvironments(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HouseholdOptions>>(
            new EnumSettingsValidator<HouseholdOptions>(HouseholdOptions.SectionName, o => [(nameof(HouseholdOptions.RoomSize), o.RoomSize)])));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShopOptions>>(new EnumSettingsValidator<ShopOptions>(ShopOptions.SectionName,
            o => [(nameof(ShopOptions.Search), o.Search), (nameof(ShopOptions.Reward), o.Reward), (nameof(ShopOptions.Titles), o.Titles)])));
        return builder.AddEnvironment<HouseholdEnvironment, HouseholdOptions>(HouseholdEnvironment.Description)
            .AddEnvironment<ShopEnvironment, ShopOptions>(ShopEnvironment.Description)
            .AddEnvironment<SokobanEnvironment>(SokobanEnvironment.Description);
    }

    /// <summary>Checks at start-up that an environment's enum settings name one of their values.</summary>
    private sealed class EnumSettingsValidator<TOptions>(string section, Func<TOptions, (string Key, Enum Value)[]> settings) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var failures = settings(options).Where(s => !Enum.IsDefined(s.Value.GetType(), s.Value))
                .Select(s => $"{section}:{s.Key} must be one of {string.Join(", ", Enum.GetNames(s.Value.GetType()))}.").ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    /// <summary>
    /// Registers the defaults of the rollout loop's parts, each replaceable by registering another implementation first:
    /// <see cref="IPromptBuilder"/> (verl-agent's prompt), <see cref="IActionParser"/> (the &lt;action&gt; tag projection) and
    /// <see cref="IEpisodeMemoryFactory"/> (the last K steps).
    /// </summary>
    public static IGiGpoNetBuilder AddRolloutDefaults(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The parts read RolloutOptions directly: the bound and validated Rollout section when the host binds one, else the defaults.
        builder.Services.TryAddSingleton(sp => sp.GetService<Microsoft.Extensions.Options.IOptions<RolloutOptions>>()?.Value ?? new RolloutOptions());
        builder.Services.TryAddSingleton<IPromptBuilder, AgentPromptBuilder>();
        builder.Services.TryAddSingleton<IActionParser, TagActionParser>();
        builder.Services.TryAddSingleton<IEpisodeMemoryFactory, SimpleEpisodeMemoryFactory>();
        return builder;
    }
}
