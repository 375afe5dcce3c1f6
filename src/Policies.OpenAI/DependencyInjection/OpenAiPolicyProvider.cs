using GiGpoNet.Learning;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Policies.OpenAI.DependencyInjection;

/// <summary>The built-in <c>openai</c> policy: rollouts on the inference server of <c>Policies:openai</c>, prompts tokenized by the learner.</summary>
internal sealed class OpenAiPolicyProvider(IOptions<OpenAiPolicyOptions> options) : IPolicyProvider, IDisposable
{
    /// <summary>The name <c>Training:Policy</c> selects it by.</summary>
    public const string Name = "openai";

    private OpenAiPolicy? _policy;

    public bool IsLearner => false;

    public IPolicy Get(ILearner? learner)
    {
        if (learner?.Policy is not IPromptTokenizer tokenizer)
            throw new GiGpoNetConfigurationException("The policy 'openai' sends the learner's token ids to the server, so it needs a training run whose learner tokenizes " +
                                                     "prompts (the built-in torchsharp learner does).");
        return _policy ??= new OpenAiPolicy(options.Value, tokenizer);
    }

    public void Dispose() => _policy?.Dispose();
}
