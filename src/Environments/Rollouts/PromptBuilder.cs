using System.Globalization;
using System.Text;

namespace GiGpoNet.Environments.Rollouts;

/// <summary>Everything a prompt may use at one step.</summary>
/// <param name="Environment">The environment's description (role line, ...).</param>
/// <param name="Observation">The current observation.</param>
/// <param name="Memory">The trajectory's memory so far.</param>
/// <param name="HistoryLength">How many past steps to show.</param>
public sealed record PromptContext(EnvironmentDescription Environment, EnvironmentObservation Observation, IEpisodeMemory Memory, int HistoryLength);

/// <summary>Builds the user message of one step. Replace it through DI to change the prompt.</summary>
public interface IPromptBuilder
{
    /// <summary>The prompt text (one user message; the policy applies its chat template).</summary>
    string Build(PromptContext context);
}

/// <summary>
/// verl-agent's prompt structure: the role line; the task; at later steps the step count and the last K observations and actions;
/// the current observation; the admissible actions; and the instruction to reason in <c>&lt;think&gt;</c> and answer in
/// <c>&lt;action&gt;&lt;/action&gt;</c>.
/// </summary>
public sealed class AgentPromptBuilder(RolloutOptions options) : IPromptBuilder
{
    /// <inheritdoc />
    public string Build(PromptContext context)
    {
        var o = context.Observation;
        var text = new StringBuilder();
        text.Append(context.Environment.AgentRole).Append(" Your task is to: ").Append(o.Task).Append('\n');
        var steps = context.Memory.Count;
        if (steps > 0 && context.HistoryLength > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Prior to this step, you have already taken {steps} step(s). Below are the most recent " +
                $"{Math.Min(steps, context.HistoryLength)} observations and the corresponding actions you took:\n");
            text.Append(context.Memory.Format(context.HistoryLength)).Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"You are now at step {steps + 1} and your current observation is: ");
        }
        else
        {
            text.Append("Your current observation is: ");
        }
        text.Append(o.Text).Append('\n');
        if (options.ShowAdmissibleActions && o.AdmissibleActions is { Count: > 0 } actions)
            text.Append("Your admissible actions of the current situation are: [").AppendJoin(", ", actions.Select(a => $"'{a}'")).Append("].\n");
        text.Append(options.RequireThinkTags
            ? "Now it's your turn to take an action. You should first reason step-by-step about the current situation within <think> </think> tags. Then choose an admissible " +
                "action and present it within <action> </action> tags."
            : "Now it's your turn to take an action. Choose an admissible action and present it within <action> </action> tags.");
        return text.ToString();
    }
}
