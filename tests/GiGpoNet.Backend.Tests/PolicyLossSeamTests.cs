using GiGpoNet.Advantages;
using GiGpoNet.Backend.Training;
using GiGpoNet.Data;
using GiGpoNet.Learning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace GiGpoNet.Backend.Tests;

/// <summary>
/// The policy loss as a registered part (<c>Update:PolicyLoss</c>, verl's <c>register_policy_loss</c>): one of the user's own is selected
/// by name, validated at start-up, and is the loss the update minimizes; the built-in <c>vanilla</c> is the default.
/// </summary>
public sealed class PolicyLossSeamTests
{
    /// <summary>A loss of the user's own: PPO-clip, doubled, counting its calls.</summary>
    private sealed class DoubledLoss : IPolicyLoss
    {
        private readonly VanillaPolicyLoss _vanilla = new();

        public int Calls { get; private set; }

        [RequiresDisposeScope]
        public PolicyLossResult Compute(PolicyLossInputs inputs)
        {
            Calls++;
            using var two = 2.0.ToScalar();
            var vanilla = _vanilla.Compute(inputs);
            return vanilla with { Loss = vanilla.Loss.mul(two) };
        }
    }

    /// <summary>An estimator, since a training host needs one; its values do not matter here.</summary>
    private sealed class Zero : IAdvantageEstimator
    {
        public RolloutFields RequiredFields => RolloutFields.None;

        public AdvantageResult Estimate(RolloutBatch batch) => AdvantageResult.PerRow(new double[batch.RowCount]);
    }

    private static ServiceProvider Services(string loss)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Training:Algorithm"] = "zero", ["Update:PolicyLoss"] = loss,
        }).Build();
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration).AddAdvantageEstimator<Zero>("zero").AddTorchSharpLearner().AddPolicyLoss<DoubledLoss>("doubled");
        return services.BuildValidatedGiGpoNetProvider();
    }

    [Test]
    public void A_registered_loss_is_selected_by_name_and_an_unknown_name_is_refused_at_start_up_with_the_registered_ones()
    {
        using (var provider = Services("Doubled"))
            Assert.That(provider.GetRequiredService<ILearnerFactory>(), Is.Not.Null);
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => Services("dobled").Dispose());
        Assert.That(error!.Message, Does.Contain("Update:PolicyLoss = 'dobled' is not a registered policy loss. Registered: doubled, vanilla.")
            .And.Contain("AddPolicyLoss<TLoss>"));
    }

    [Test]
    public void The_update_minimizes_the_selected_loss()
    {
        var options = new UpdateOptions { LearningRate = 3e-3, WeightDecay = 0, MiniBatchSize = 16, MicroBatchSize = 8, EntropyCoeff = 0, UseKlLoss = false };
        var rows = Enumerable.Range(0, 16).Select(i => (Prompt: new[] { 3, 10 + i % 5 }, Response: new[] { 20 + i % 7, 30, 4 })).ToList();
        float[][] old;
        using (var scoring = TinyModels.Create(seed: 21))
        using (var scorer = new PolicyUpdater(scoring, options, paddingId: 0))
            old = scorer.LogProbs(rows);
        var training = rows.Select((r, i) => new TrainingRow(r.Prompt, r.Response, old[i], [.. Enumerable.Repeat(i % 3 == 0 ? 1f : -0.5f, 3)])).ToList();

        using var vanillaModel = TinyModels.Create(seed: 21);
        using var vanilla = new PolicyUpdater(vanillaModel, options, paddingId: 0);
        var byDefault = vanilla.Update(training);
        using var doubledModel = TinyModels.Create(seed: 21);
        var loss = new DoubledLoss();
        using var doubled = new PolicyUpdater(doubledModel, options, paddingId: 0, policyLoss: loss);
        var mine = doubled.Update(training);

        Assert.That(loss.Calls, Is.EqualTo(2), "once per micro-batch");
        Assert.That(mine.PolicyLoss, Is.EqualTo(2 * byDefault.PolicyLoss).Within(1e-6), "pg_loss is the selected loss's (one mini-batch, same weights)");
        Assert.That(byDefault.PolicyLoss, Is.Not.EqualTo(0));
    }
}
