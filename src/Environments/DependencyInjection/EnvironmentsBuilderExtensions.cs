using GiGpoNet;
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
        AddEnvironmentOptions<HouseholdOptions, HouseholdRoomSize>(builder, HouseholdOptions.SectionName, nameof(HouseholdOptions.RoomSize), o => o.RoomSize);
        AddEnvironmentOptions<ShopOptions, ShopSearch>(builder, ShopOptions.SectionName, nameof(ShopOptions.Search), o => o.Search);
        return builder.AddEnvironment<HouseholdEnvironment>(HouseholdEnvironment.Description)
            .AddEnvironment<ShopEnvironment>(ShopEnvironment.Description)
            .AddEnvironment<SokobanEnvironment>(SokobanEnvironment.Description);
    }

    /// <summary>Binds an environment's options (one enum setting) from <paramref name="section"/>, validated at start-up; once.</summary>
    private static void AddEnvironmentOptions<TOptions, TEnum>(IGiGpoNetBuilder builder, string section, string key, Func<TOptions, TEnum> setting)
        where TOptions : class, new()
        where TEnum : struct, Enum
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(TOptions))) return;
        builder.Services.AddOptions<TOptions>()
            .Configure(o => StrictConfigurationBinder.Bind(builder.Configuration.GetSection(section), o))
            .Validate(o => Enum.IsDefined(setting(o)), $"{section}:{key} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<TOptions>>().Value);
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
