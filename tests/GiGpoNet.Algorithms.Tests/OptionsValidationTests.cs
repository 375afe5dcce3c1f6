using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Algorithms.Grpo;
using GiGpoNet.Algorithms.Ppo;

namespace GiGpoNet.Algorithms.Tests;

public sealed class OptionsValidationTests
{
    [Test]
    public void Defaults_are_valid_and_documented_values()
    {
        var gigpo = new GiGpoOptions();
        Assert.Multiple(() =>
        {
            Assert.That(gigpo.Validate(), Is.Empty);
            Assert.That(gigpo.Mode, Is.EqualTo(AdvantageNormalization.MeanNorm));
            Assert.That(gigpo.Gamma, Is.EqualTo(0.95));
            Assert.That(gigpo.StepAdvantageWeight, Is.EqualTo(1.0));
            Assert.That(gigpo.Epsilon, Is.EqualTo(1e-6));
            Assert.That(gigpo.SimilarityThreshold, Is.EqualTo(0.95));
            Assert.That(gigpo.EnableSimilarity, Is.False);
            Assert.That(gigpo.StatisticsScope, Is.EqualTo(GroupStatisticsScope.StepRows));
            Assert.That(gigpo.InvalidActionPenaltyCoef, Is.EqualTo(0.1));
            Assert.That(new GrpoOptions().Validate(), Is.Empty);
            Assert.That(new GaeOptions().Validate(), Is.Empty);
        });
    }

    [TestCase(-0.5)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void A_negative_or_non_finite_gamma_is_refused(double gamma)
    {
        var failures = new GiGpoOptions { Gamma = gamma }.Validate().ToList();
        Assert.That(failures, Has.One.StartsWith("Gamma"));
        Assert.Throws<ArgumentException>(() => _ = new GiGpoAdvantageEstimator(new GiGpoOptions { Gamma = gamma }));
    }

    [TestCase(0.0)]
    [TestCase(1.0)]
    [TestCase(1.5)]
    public void Every_gamma_the_reference_accepts_is_accepted(double gamma)
    {
        Assert.That(new GiGpoOptions { Gamma = gamma }.Validate(), Is.Empty);
        Assert.That(new GaeOptions { Gamma = gamma }.Validate(), Is.Empty);
        Assert.That(new ReinforcePlusPlusOptions { Gamma = gamma }.Validate(), Is.Empty);
    }

    [Test]
    public void Epsilon_penalty_weights_and_threshold_are_checked()
    {
        Assert.That(new GiGpoOptions { Epsilon = 0 }.Validate(), Has.One.StartsWith("Epsilon"));
        Assert.That(new GrpoOptions { Epsilon = -1 }.Validate(), Has.One.StartsWith("Epsilon"));
        Assert.That(new GiGpoOptions { InvalidActionPenaltyCoef = -0.1 }.Validate(), Has.One.StartsWith("InvalidActionPenaltyCoef"));
        Assert.That(new GiGpoOptions { StepAdvantageWeight = double.PositiveInfinity }.Validate(), Has.One.StartsWith("StepAdvantageWeight"));
        Assert.That(new GiGpoOptions { EnableSimilarity = true, SimilarityThreshold = 1.5 }.Validate(), Has.One.StartsWith("SimilarityThreshold"));
        Assert.That(new GiGpoOptions { EnableSimilarity = true, SimilarityThreshold = 1 }.Validate(), Is.Empty);
        Assert.That(new GiGpoOptions { StepAdvantageWeight = -0.5 }.Validate(), Is.Empty, "the reference takes any weight");
        Assert.That(new GiGpoOptions { EnableSimilarity = false, SimilarityThreshold = 1 }.Validate(), Is.Empty);
        Assert.That(new GaeOptions { Lambda = -0.1 }.Validate(), Has.One.StartsWith("Lambda"));
        Assert.That(new GaeOptions { Lambda = 0 }.Validate(), Is.Empty);
    }

    [TestCase("mean_norm", AdvantageNormalization.MeanNorm)]
    [TestCase("MEAN_STD_NORM", AdvantageNormalization.MeanStdNorm)]
    [TestCase("MeanStdNorm", AdvantageNormalization.MeanStdNorm)]
    public void Normalization_modes_parse_from_reference_and_dotnet_names(string text, AdvantageNormalization expected) =>
        Assert.That(new AdvantageNormalizationConverter().ConvertFromInvariantString(text), Is.EqualTo(expected));

    [TestCase("true", GroupStatisticsScope.StepRows)]
    [TestCase("False", GroupStatisticsScope.Trajectories)]
    [TestCase("trajectories", GroupStatisticsScope.Trajectories)]
    public void Statistics_scope_parses_from_the_reference_boolean(string text, GroupStatisticsScope expected) =>
        Assert.That(new GroupStatisticsScopeConverter().ConvertFromInvariantString(text), Is.EqualTo(expected));

    [Test]
    public void An_unknown_mode_names_the_accepted_values()
    {
        var e = Assert.Throws<FormatException>(() => new AdvantageNormalizationConverter().ConvertFromInvariantString("zscore"));
        Assert.That(e!.Message, Does.Contain("mean_norm, mean_std_norm"));
    }
}
