using GiGpoNet.Backend.Training;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Policies;
using GiGpoNet.Policies.OpenAI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Policies;

/// <summary>
/// At start-up, when <c>Training:Policy</c> is <c>openai</c>: the <c>Policies:openai</c> section's values, the settings that assume the
/// rollout engine is the learner, and the server itself (it serves the model and answers token ids and log-probs), before any work.
/// </summary>
internal sealed class OpenAiPolicyValidator(IServiceProvider services) : IValidateOptions<OpenAiPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenAiPolicyOptions options)
    {
        TrainingOptions training;
        UpdateOptions update;
        try
        {
            training = services.GetRequiredService<IOptions<TrainingOptions>>().Value;
            update = services.GetRequiredService<IOptions<UpdateOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip; // reported by those sections' own validation
        }
        if (!services.GetRequiredService<PolicyRegistry>().TryGet(training.Policy, out var policy) || policy.Name != OpenAiPolicyProvider.Name)
            return ValidateOptionsResult.Skip;
        var failures = options.Validate().ToList();
        if (update.ReuseRolloutLogProbs)
            failures.Add("Update:ReuseRolloutLogProbs assumes the rollout engine is the learner, and Training:Policy = openai samples on a server with its own " +
                         "kernels: unset it (the learner recomputes the old log-probs; Update:RolloutIsThreshold corrects for the difference).");
        if (failures.Count > 0) return ValidateOptionsResult.Fail(failures);
        try
        {
            OpenAiPolicy.CheckServerAsync(options).GetAwaiter().GetResult();
            return ValidateOptionsResult.Success;
        }
        catch (GiGpoNetConfigurationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
