using GiGpoNet.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>What the <c>Training</c> section selects, for a package's own start-up validation.</summary>
public static class TrainingSelection
{
    /// <summary>
    /// The registered policy <c>Training:Policy</c> names; null while the <c>Training</c> section is itself invalid or names no registered
    /// policy (its own validation reports that), so that a package's validator adds no second message for it.
    /// </summary>
    public static PolicyRegistration? SelectedPolicy(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        TrainingOptions training;
        try
        {
            training = services.GetRequiredService<IOptions<TrainingOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
        return services.GetRequiredService<PolicyRegistry>().TryGet(training.Policy, out var policy) ? policy : null;
    }
}
