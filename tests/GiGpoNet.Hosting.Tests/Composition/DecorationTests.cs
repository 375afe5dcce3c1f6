using GiGpoNet.Hosting.Training;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Hosting.Tests.Composition;

/// <summary><c>Decorate&lt;T&gt;</c>: a registered part wrapped, not replaced, with its lifetime kept; decorations stack.</summary>
public sealed class DecorationTests
{
    private sealed class Counting(IEvaluator inner, List<string> log, string name) : IEvaluator
    {
        public IEvaluator Inner => inner;

        public Task<Dictionary<string, double>> EvaluateAsync(IPolicy policy, CancellationToken cancellationToken = default)
        {
            log.Add(name);
            return inner.EvaluateAsync(policy, cancellationToken);
        }
    }

    private sealed class Remembering(IWarmStart inner) : IWarmStart
    {
        public IWarmStart Inner => inner;

        public Task<WarmStartResult> RunAsync(IProgress<TrainingEvent> events, CancellationToken cancellationToken = default) =>
            inner.RunAsync(events, cancellationToken);
    }

    [Test]
    public void A_built_in_part_is_handed_to_the_wrapper_its_lifetime_is_kept_and_wrappers_stack_the_last_outermost()
    {
        var log = new List<string>();
        var services = new ServiceCollection();
        services.AddGiGpoNet(new ConfigurationBuilder().Build()).AddBuiltIns()
            .Decorate<IEvaluator>((inner, _) => new Counting(inner, log, "first"))
            .Decorate<IEvaluator>((inner, _) => new Counting(inner, log, "second"))
            .Decorate<IWarmStart>((inner, _) => new Remembering(inner));
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var outer = (Counting)provider.GetRequiredService<IEvaluator>();
        Assert.That(((Counting)outer.Inner).Inner.GetType().Name, Is.EqualTo("EnvironmentEvaluator"), "the built-in one, innermost");
        Assert.That(provider.GetRequiredService<IEvaluator>(), Is.Not.SameAs(outer), "still transient");
        Assert.That(((Remembering)provider.GetRequiredService<IWarmStart>()).Inner.GetType().Name, Is.EqualTo("CachedWarmStart"), "the cache around the expert warm start");
        Assert.That(services.Single(d => d.ServiceType == typeof(IWarmStart)).Lifetime, Is.EqualTo(ServiceLifetime.Transient));
    }

    [Test]
    public void Decorating_a_part_nobody_registered_says_to_register_it_first()
    {
        var services = new ServiceCollection();
        var builder = services.AddGiGpoNet(new ConfigurationBuilder().Build());
        var error = Assert.Throws<InvalidOperationException>(() => builder.Decorate<ILearnerFactory>((inner, _) => inner));
        Assert.That(error!.Message, Does.Contain("No ILearnerFactory is registered to decorate").And.Contain("register one first"));
    }
}
