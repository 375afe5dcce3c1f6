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
        AddEnvironmentOptions<HouseholdOptions>(builder, HouseholdOptions.SectionName, o => [(nameof(HouseholdOptions.RoomSize), o.RoomSize)]);
        AddEnvironmentOptions<ShopOptions>(builder, ShopOptions.SectionName,
            o => [(nameof(ShopOptions.Search), o.Search), (nameof(ShopOptions.Reward), o.Reward), (nameof(ShopOptions.Titles), o.Titles)]);
        return builder.AddEnvironment<HouseholdEnvironment>(HouseholdEnvironment.Description)
            .AddEnvironment<ShopEnvironment>(ShopEnvironment.Description)
            .AddEnvironment<SokobanEnvironment>(SokobanEnvironment.Description);
    }

    /// <summary>Binds an environment's options (enum settings) from <paramref name="section"/>, each validated at start-up; once.</summary>
    private static void AddEnvironmentOptions<TOptions>(IGiGpoNetBuilder builder, string section, Func<TOptions, (string Key, Enum Value)[]> settings)
        where TOptions : class, new()
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(TOptions))) return;
        var options = builder.Services.AddOptions<TOptions>()
            .Configure(o => StrictConfigurationBinder.Bind(builder.Configuration.GetSection(section), o));
        var defaults = settings(new TOptions());
        for (var i = 0; i < defaults.Length; i++)
        {
            var (index, key, type) = (i, defaults[i].Key, defaults[i].Value.GetType());
            options.Validate(o => Enum.IsDefined(type, settings(o)[index].Value), $"{section}:{key} must be one of {string.Join(", ", Enum.GetNames(type))}.");
        }
        options.ValidateOnStart();
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
