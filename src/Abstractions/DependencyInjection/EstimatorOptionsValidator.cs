using GiGpoNet.Advantages;
using Microsoft.Extensions.Options;

namespace GiGpoNet;

/// <summary>Runs <see cref="AdvantageEstimatorOptions.Validate"/> for the options of one named estimator, at start-up.</summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal sealed class EstimatorOptionsValidator<TOptions>(string name, string sectionPath) : IValidateOptions<TOptions>
    where TOptions : AdvantageEstimatorOptions
{
    public ValidateOptionsResult Validate(string? optionsName, TOptions options)
    {
        if (optionsName != name) return ValidateOptionsResult.Skip;
        var failures = options.Validate().Select(f => $"{sectionPath}:{f}").ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
