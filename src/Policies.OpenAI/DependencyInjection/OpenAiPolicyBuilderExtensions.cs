using GiGpoNet;
using GiGpoNet.Policies.OpenAI;
using GiGpoNet.Policies.OpenAI.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>openai</c> policy: rollouts generated on an OpenAI-compatible inference server.</summary>
public static class OpenAiPolicyBuilderExtensions
{
    /// <summary>The section under which policies are configured by name (<c>Policies:openai:BaseAddress</c>).</summary>
    public const string PoliciesSectionName = "Policies";

    /// <summary>
    /// Registers the policy <c>openai</c> (selected with <c>Training:Policy=openai</c>): prompts tokenized by the learner, completions
    /// sampled on the server of <c>Policies:openai</c> (bound strictly; the server is checked at start-up when the policy is chosen). A
    /// run's <c>configuration.json</c> records the section without its <c>ApiKey</c>.
    /// </summary>
    public static IGiGpoNetBuilder AddOpenAiPolicy(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddConfigurationSection(PoliciesSectionName, SectionRecording.SelectedPolicy, nameof(OpenAiPolicyOptions.ApiKey));
        if (builder.Services.Any(d => d.ServiceType == typeof(IValidateOptions<OpenAiPolicyOptions>))) return builder;
        var section = builder.Configuration.GetSection(OpenAiPolicyOptions.SectionName);
        builder.Services.AddOptions<OpenAiPolicyOptions>().Configure(o => StrictConfigurationBinder.Bind(section, o)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAiPolicyOptions>, OpenAiPolicyValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupCheck, OpenAiServerCheck>());
        return builder.AddPolicyProvider<OpenAiPolicyProvider>(OpenAiPolicyProvider.Name);
    }
}
