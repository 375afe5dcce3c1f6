using GiGpoNet.Data;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;

namespace GiGpoNet.Environments.Rollouts;

/// <summary>
/// The agent rollout loop: G groups × N trajectories stepped together. The N members of a group reset to the same task. Each turn,
/// every active trajectory's prompt (task, last K steps, observation, admissible actions) goes to the policy in one batched
/// generation; the answer is parsed into an action (invalid answers are flagged, never thrown); the environment steps; one step row
/// records the anchor (the observation the action was taken in), the reward, the validity, and the token ids and log-probs.
/// A trajectory ends at <c>done</c>, at the step limit (unsuccessful, truncated), or when its environment or the policy fails on it
/// (failed, truncated); the others go on.
/// </summary>
public sealed class EnvironmentRolloutSource(
    IEnvironmentFactory environments, RolloutOptions options, IPromptBuilder promptBuilder, IActionParser parser, IEpisodeMemoryFactory memories)
    : IRolloutSource
{
    /// <inheritdoc />
    public RolloutFields ProvidedFields =>
        RolloutFields.Anchors | RolloutFields.Actions | RolloutFields.Tokens | RolloutFields.OldLogProbs | RolloutFields.RolloutLogProbs;

    /// <summary>The step limit in force.</summary>
    public int MaxSteps => options.MaxSteps > 0 ? options.MaxSteps : environments.Description.DefaultMaxSteps;

    /// <summary>The task seed of group <paramref name="group"/> in a collection seeded <paramref name="seed"/>.</summary>
    public static long TaskSeed(long seed, int group) => unchecked(seed * 1_000_003L + group);

    /// <summary>
    /// The answers the policy may give to <paramref name="observation"/>: with <see cref="RolloutOptions.ConstrainToAdmissibleActions"/>,
    /// its admissible actions in the answer format, unless one of them has a slot to fill (then, and without the option, null: free text).
    /// Every place that lets a policy act (rollouts, evaluation, <c>gigpo play</c>) decodes under the same constraint.
    /// </summary>
    public static IReadOnlyList<string>? AllowedResponses(EnvironmentObservation observation, RolloutOptions options)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(options);
        return options.ConstrainToAdmissibleActions && observation.AdmissibleActions is { Count: > 0 } admissible && !admissible.Any(IsTemplate)
            ? [.. admissible.Select(a => AnswerFormat.For(a, options.RequireThinkTags))]
            : null;
    }

    /// <summary>An admissible action with a slot to fill (<c>search[&lt;your query&gt;]</c>): such turns are decoded freely.</summary>
    private static bool IsTemplate(string action) => action.IndexOf('<') is >= 0 and var open && action.IndexOf('>', open) > open;

    /// <inheritdoc />
    public async ValueTask<RolloutResult> CollectAsync(IPolicy policy, RolloutRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Groups < 1 || request.GroupSize < 1)
            throw new ArgumentException($"A collection needs at least one group of one trajectory (got {request.Groups} × {request.GroupSize}).", nameof(request));

        var runs = new List<Trajectory>(request.Groups * request.GroupSize);
        try
        {
            for (var g = 0; g < request.Groups; g++)
            {
                var reset = new EnvironmentReset(TaskSeed(request.Seed, g), request.Split);
                for (var n = 0; n < request.GroupSize; n++)
                    runs.Add(new Trajectory($"{request.Seed}-g{g}", $"{request.Seed}-g{g}-t{n}", environments.Create(), memories.Create(), reset));
            }
            await Task.WhenAll(runs.Select(r => r.ResetAsync(cancellationToken))).ConfigureAwait(false);

            var builder = new RolloutBatchBuilder(runs.Count * 8);
            for (var step = 0; step < MaxSteps; step++)
            {
                var active = runs.Where(r => r.Running).ToList();
                if (active.Count == 0) break;
                var prompts = active.Select(r => new PolicyPrompt(
                    promptBuilder.Build(new PromptContext(environments.Description, r.Observation!, r.Memory, options.HistoryLength)),
                    AllowedResponses(r.Observation!, options))).ToList();
                var settings = new GenerationSettings(request.Temperature, options.TopP, options.TopK, options.MaxNewTokens, options.StopStrings,
                    unchecked(request.Seed * 7919 + step));
                var generations = await policy.GenerateAsync(prompts, settings, cancellationToken).ConfigureAwait(false);
                if (generations.Count != active.Count)
                    throw new InvalidOperationException($"The policy answered {generations.Count} prompts out of {active.Count}.");

                for (var i = 0; i < active.Count; i++)
                    if (generations[i].Failure is { } failure) active[i].Fail($"the policy failed at step {active[i].Length}: {failure}");
                var parsed = generations.Select(g => parser.Parse(g.Text)).ToList();
                var outcomes = await Task.WhenAll(active.Select((r, i) => r.Running ? r.StepAsync(parsed[i].Action, cancellationToken) : Task.FromResult<EnvironmentStep?>(null)))
                    .ConfigureAwait(false);
                for (var i = 0; i < active.Count; i++)
                {
                    var run = active[i];
                    var outcome = outcomes[i];
                    if (outcome is null) continue; // the policy or the environment failed: the trajectory ends without this step
                    builder.Add(new StepRow
                    {
                        GroupId = run.GroupId, TrajectoryId = run.TrajectoryId, StepIndex = step,
                        Anchor = run.Observation!.Text, Action = parsed[i].Action, Reward = outcome.Reward, ActionValid = parsed[i].Valid,
                        PromptTokenIds = generations[i].PromptTokenIds, ResponseTokenIds = generations[i].ResponseTokenIds,
                        OldLogProbs = generations[i].LogProbs, RolloutLogProbs = generations[i].ModelLogProbs,
                    });
                    run.Record(parsed[i], outcome);
                }
            }

            var batch = builder.Build();
            var byId = runs.ToDictionary(r => r.TrajectoryId);
            var episodes = batch.TrajectoryIds.Select(id => byId[id].Outcome()).ToList();
            // Trajectories without any row (failed at reset or at their first step) still count as episodes.
            episodes.AddRange(runs.Where(r => r.Length == 0).Select(r => r.Outcome()));
            return new RolloutResult(batch, episodes);
        }
        finally
        {
            foreach (var run in runs) await run.Environment.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Trajectory(string groupId, string trajectoryId, IEnvironment environment, IEpisodeMemory memory, EnvironmentReset reset)
    {
        private string _taskType = "unknown";
        private double _return;
        private int _invalid;
        private bool _done;
        private bool _won;
        private double? _score;
        private string? _failure;

        public string GroupId { get; } = groupId;
        public string TrajectoryId { get; } = trajectoryId;
        public IEnvironment Environment { get; } = environment;
        public IEpisodeMemory Memory { get; } = memory;
        public EnvironmentObservation? Observation { get; private set; }
        public int Length { get; private set; }
        public bool Running => !_done && _failure is null && Observation is not null;

        public async Task ResetAsync(CancellationToken cancellationToken)
        {
            try
            {
                Observation = await Environment.ResetAsync(reset, cancellationToken).ConfigureAwait(false);
                _taskType = Observation.TaskType;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _failure = $"reset failed: {e.Message}";
            }
        }

        /// <summary>Steps the environment; <c>null</c> when it failed (the trajectory then ends as failed and truncated).</summary>
        public async Task<EnvironmentStep?> StepAsync(string action, CancellationToken cancellationToken)
        {
            try
            {
                return await Environment.StepAsync(action, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _failure = $"step {Length} failed: {e.Message}";
                return null;
            }
        }

        /// <summary>Ends the trajectory as failed and truncated.</summary>
        public void Fail(string failure) => _failure = failure;

        public void Record(ParsedAction action, EnvironmentStep outcome)
        {
            Memory.Add(Observation!.Text, action.Action);
            Length++;
            _return += outcome.Reward;
            if (!action.Valid) _invalid++;
            _score = outcome.Score ?? _score;
            _won = outcome.Won;
            _done = outcome.Done;
            Observation = outcome.Observation;
        }

        public EpisodeOutcome Outcome() =>
            new(GroupId, TrajectoryId, _taskType, _won && _done, _score, Length, _return, _invalid, Truncated: !_done, _failure);
    }
}
