using GiGpoNet.Policies;

namespace CustomEnvironment;

/// <summary>
/// A scripted policy, the baseline a trained agent should beat: it takes one of the allowed answers at random (run with
/// <c>Rollout:ConstrainToAdmissibleActions=true</c>, so that prompts carry them), and looks around when there are none.
/// <c>gigpo eval --policy random_explorer</c> measures it.
/// </summary>
public sealed class RandomExplorerPolicy : IPolicy
{
    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(settings);
        var random = new Random(unchecked((int)settings.Seed));
        IReadOnlyList<PolicyGeneration> answers = [.. prompts.Select(p => new PolicyGeneration(
            p.AllowedResponses is { Count: > 0 } allowed ? allowed[random.Next(allowed.Count)] : "<action>look</action>", [], [], [], false))];
        return ValueTask.FromResult(answers);
    }
}
