using GiGpoNet.Advantages;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>Checks at start-up that <c>Training:Algorithm</c> names a registered estimator.</summary>
internal sealed class TrainingOptionsValidator(AdvantageEstimatorRegistry registry) : IValidateOptions<TrainingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        if (registry.TryGet(options.Algorithm, out _)) return ValidateOptionsResult.Success;
        return ValidateOptionsResult.Fail(string.IsNullOrWhiteSpace(options.Algorithm)
            ? registry.UnknownNameMessage(options.Algorithm)
            : $"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Algorithm)} = {registry.UnknownNameMessage(options.Algorithm)}");
    }
}
