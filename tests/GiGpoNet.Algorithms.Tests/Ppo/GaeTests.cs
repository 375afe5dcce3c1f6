using GiGpoNet.Algorithms.Ppo;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Tests.Ppo;

public sealed class GaeTests
{
    private const double Tolerance = 1e-9;

    [Test]
    public void Gae_with_gamma_and_lambda_one_is_the_return_minus_the_value_then_whitened()
    {
        // Row 0: score 10 at its last token, values [2, 4] -> raw advantages [8, 6], returns [10, 10].
        // Row 1: score 0, values [1] -> advantage -1, return 0. Tokens {8, 6, -1}: mean 13/3.
        var batch = RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 0, Reward = 10, ResponseTokenIds = [1, 2], CriticValues = [2, 4] },
            new StepRow { GroupId = "g", TrajectoryId = "b", StepIndex = 0, Reward = 0, ResponseTokenIds = [3], CriticValues = [1] },
        ]);
        var result = new GaeAdvantageEstimator(new GaeOptions { InvalidActionPenaltyCoef = 0 }).Estimate(batch);
        Assert.That(result.TokenReturns![0].ToArray(), Is.EqualTo(new double[] { 10, 10 }).Within(Tolerance));
        Assert.That(result.TokenReturns![1].ToArray(), Is.EqualTo(new double[] { 0 }).Within(Tolerance));
        var raw = new[] { 8.0, 6, -1 };
        var mean = raw.Average();
        var variance = raw.Sum(x => (x - mean) * (x - mean)) / 2;
        var expected = raw.Select(x => (x - mean) / Math.Sqrt(variance + 1e-8)).ToArray();
        Assert.That(result.TokenAdvantages!.Values.ToArray(), Is.EqualTo(expected).Within(Tolerance));
    }

    [Test]
    public void Gae_discounts_with_gamma_and_lambda()
    {
        // Values [1, 2], score 4, gamma = lambda = 0.5:
        // k=1: delta = 4 - 2 = 2, A = 2;  k=0: delta = 0.5*2 - 1 = 0, A = 0 + 0.25*2 = 0.5. Returns [1.5, 4].
        var batch = RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 0, Reward = 4, ResponseTokenIds = [1, 2], CriticValues = [1, 2] },
        ]);
        var result = new GaeAdvantageEstimator(new GaeOptions { Gamma = 0.5, Lambda = 0.5 }).Estimate(batch);
        Assert.That(result.TokenReturns![0].ToArray(), Is.EqualTo(new[] { 1.5, 4 }).Within(Tolerance));
        var scale = 1 / Math.Sqrt(1.125 + 1e-8);
        Assert.That(result.TokenAdvantages![0].ToArray(), Is.EqualTo(new[] { -0.75 * scale, 0.75 * scale }).Within(Tolerance));
    }

    [Test]
    public void Gae_without_critic_values_says_what_is_missing()
    {
        var batch = Batches.New().Trajectory("g", "a", ("x", 1)).Trajectory("g", "b", ("x", 0)).Build();
        var e = Assert.Throws<ArgumentException>(() => new GaeAdvantageEstimator(new GaeOptions()).Estimate(batch));
        Assert.That(e!.Message, Does.Contain("critic"));
    }
}
