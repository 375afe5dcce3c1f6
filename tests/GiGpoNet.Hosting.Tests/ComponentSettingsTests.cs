using GiGpoNet.Advantages;
using GiGpoNet.Data;
using GiGpoNet.Environments;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// Every key under a registered component's section is bound or refused: an estimator or environment registered without options
/// takes none, and an environment registered with options gets them bound strictly and validated at start-up.
/// </summary>
public sealed class ComponentSettingsTests
{
    private sealed class MedianBaseline : IAdvantageEstimator
    {
        public RolloutFields RequiredFields => RolloutFields.None;

        public AdvantageResult Estimate(RolloutBatch batch) => throw new NotSupportedException();
    }

    public sealed class GuessOptions
    {
        public int Max { get; set; } = 10;
    }

    private sealed class Guess(GuessOptions options) : IEnvironment
    {
        public GuessOptions Options => options;

        public ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class GuessValidator : IValidateOptions<GuessOptions>
    {
        public ValidateOptionsResult Validate(string? name, GuessOptions options) =>
            options.Max >= 1 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"Environments:guess:Max = {options.Max} must be at least 1.");
    }

    private static readonly EnvironmentDescription Description = new("guess", 6, ["guess"], "You guess a number.");

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IGiGpoNetBuilder> register)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        var builder = services.AddGiGpoNet(configuration).AddBuiltInAlgorithms();
        register(builder);
        return services.BuildServiceProvider();
    }

    [Test]
    public void A_key_under_an_estimator_registered_without_options_is_refused()
    {
        using var provider = Build(new() { ["Algorithms:median_baseline:Scale"] = "2" }, b => b.AddAdvantageEstimator<MedianBaseline>("median_baseline"));
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration())!;
        Assert.That(e.Message, Does.Contain("'Algorithms:median_baseline' sets Scale").And.Contain("takes no settings")
            .And.Contain("AddAdvantageEstimator<TEstimator, TOptions>"));
    }

    [Test]
    public void A_key_under_an_environment_registered_without_options_is_refused()
    {
        using var provider = Build(new() { ["Environments:guess:Max"] = "50" }, b => b.AddEnvironment<Guess>(Description));
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration())!;
        Assert.That(e.Message, Does.Contain("'Environments:guess' sets Max").And.Contain("AddEnvironment<TEnvironment, TOptions>"));
    }

    [Test]
    public void An_environment_with_options_gets_them_bound_strictly_and_validated_at_start_up()
    {
        void Register(IGiGpoNetBuilder b)
        {
            b.Services.AddSingleton<IValidateOptions<GuessOptions>, GuessValidator>();
            b.AddEnvironment<Guess, GuessOptions>(Description);
        }

        using (var provider = Build(new() { ["Environments:guess:Max"] = "50", ["Training:Environment"] = "guess" }, Register))
        {
            provider.ValidateGiGpoNetConfiguration();
            var environment = (Guess)provider.GetRequiredKeyedService<IEnvironmentFactory>("guess").Create();
            Assert.That(environment.Options.Max, Is.EqualTo(50));
        }
        using (var unknown = Build(new() { ["Environments:guess:Maks"] = "50" }, Register))
            Assert.That(Assert.Throws<GiGpoNetConfigurationException>(() => unknown.ValidateGiGpoNetConfiguration())!.Message, Does.Contain("Maks"));
        using (var invalid = Build(new() { ["Environments:guess:Max"] = "0" }, Register))
            Assert.That(Assert.Throws<GiGpoNetConfigurationException>(() => invalid.ValidateGiGpoNetConfiguration())!.Message,
                Does.Contain("Environments:guess:Max = 0 must be at least 1."));
    }
}
