using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Environments.Shop;
using GiGpoNet.Environments.Sokoban;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using GiGpoNet;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the built-in environments and the rollout loop's replaceable parts.</summary>
public static class EnvironmentsBuilderExtensions
{
    /// <summary>
    /// Registers <c>household</c>, <c>shop</c> and <c>sokoban</c>. The household's options are bound from <c>Environments:household</c>
    /// (unknown keys are errors) and validated at start-up.
    /// </summary>
    public static IGiGpoNetBuilder AddBuiltInEnvironments(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(d => d.ServiceType == typeof(HouseholdOptions)))
        {
            builder.Services.AddOptions<HouseholdOptions>()
                .Configure(o => StrictConfigurationBinder.Bind(builder.Configuration.GetSection(HouseholdOptions.SectionName), o))
                .Validate(o => Enum.IsDefined(o.RoomSize),
                    $"{HouseholdOptions.SectionName}:{nameof(HouseholdOptions.RoomSize)} must be one of {string.Join(", ", Enum.GetNames<HouseholdRoomSize>())}.")
                .ValidateOnStart();
            builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<HouseholdOptions>>().Value);
        }
        return builder.AddEnvironment<HouseholdEnvironment>(HouseholdEnvironment.Description)
            .AddEnvironment<ShopEnvironment>(ShopEnvironment.Description)
            .AddEnvironment<SokobanEnvironment>(SokobanEnvironment.Description);
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
