using System.Text.Json;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Devices;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using GiGpoNet.Data;
using GiGpoNet.Learning;
using TorchSharp;

namespace GiGpoNet.Backend.Learning;

/// <summary>
/// Creates the TorchSharp learner: a Qwen2-family policy loaded from a Hugging Face folder (<c>Policy:Path</c>) or built from scratch
/// with a word-level tokenizer, trained with <see cref="PolicyUpdater"/> on the backend's device and dtype.
/// </summary>
/// <param name="backend">The <c>Backend</c> section.</param>
/// <param name="policy">The <c>Policy</c> section.</param>
/// <param name="update">The <c>Update</c> section.</param>
/// <param name="maxResponseTokens">The longest response generated (<c>Rollout:MaxNewTokens</c>), for a from-scratch model's positions.</param>
/// <param name="policyLoss">The policy loss the update minimizes (<c>Update:PolicyLoss</c>); default <see cref="VanillaPolicyLoss"/>.</param>
public sealed class TorchLearnerFactory(BackendOptions backend, PolicyModelOptions policy, UpdateOptions update, int maxResponseTokens,
    IPolicyLoss? policyLoss = null) : ILearnerFactory
{
    /// <summary>The learner's name in messages.</summary>
    public const string Name = "torchsharp";

    /// <inheritdoc />
    public LearnerCapabilities Capabilities { get; } =
        new(Name, RolloutFields.Tokens | (update.ReuseRolloutLogProbs || update.RolloutIsThreshold is not null ? RolloutFields.RolloutLogProbs : RolloutFields.None),
            RolloutFields.OldLogProbs | RolloutFields.CriticValues);

    /// <inheritdoc />
    public string WarmStartIdentity
    {
        get
        {
            // The warm start trains every weight whatever Policy:Lora says, so runs that differ only in their adapters share it.
            var policyKeys = JsonSerializer.SerializeToNode(policy)!.AsObject();
            policyKeys.Remove(nameof(PolicyModelOptions.Lora));
            var dtype = Advantages.SnakeCaseEnumConverter<ModelDtype>.SnakeCase(backend.Dtype); // "float32", as the string setting was written
            return JsonSerializer.Serialize(new { Policy = policyKeys, Dtype = dtype, Device = backend.ResolveDevice().type.ToString(), maxResponseTokens });
        }
    }

    /// <inheritdoc />
    public int CorpusDemonstrations => string.IsNullOrWhiteSpace(policy.Path) ? 16 : 0;

    /// <inheritdoc />
    public string? WarmStartNote => policy.Lora.Enabled
        ? "the warm start trained every weight of the model; the LoRA adapters (Policy:Lora) attach after it and the reinforcement stage trains only them."
        : null;

    /// <inheritdoc />
    public ILearner Create(LearnerStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        backend.ApplyProcessSettings();
        torch.manual_seed(start.Seed);
        var (model, tokenizer) = start.PolicyFolder switch
        {
            { } checkpoint when PolicyCheckpoints.IsTrainingCheckpoint(checkpoint) => PolicyCheckpoints.LoadUnmerged(checkpoint, backend), // resumed: adapters restored later
            { } folder => PolicyCheckpoints.Load(folder, backend),
            null => CreatePolicy(start.Corpus),
        };

        return new TorchLearner(model, tokenizer, policy.MaxPromptTokens, update, policy.Lora, policyLoss);
    }

    /// <summary>
    /// nn.Embedding's N(0, 1) rows would make the tied output's first logits about √hidden wide (an SFT loss of 12 where an untied
    /// model starts at 2 on shop); the shared matrix starts where an untied lm_head does, uniform in ±1/√hidden.
    /// </summary>
    private static void StartSharedMatrixAsAnOutputLayer(Qwen2ForCausalLM model)
    {
        var bound = 1 / Math.Sqrt(model.Config.HiddenSize);
        using var noGrad = torch.no_grad();
        torch.nn.init.uniform_(model.Body.EmbeddingWeight, -bound, bound);
    }

    /// <summary>
    /// Each spaced word's row (" silver") becomes (space + bare word) / √2 of the rows as initialized (see
    /// <see cref="PolicyModelOptions.ComposeSpacedWords"/>); rows of two independent draws keep their spread so.
    /// </summary>
    private static void ComposeSpacedWordRows(Qwen2ForCausalLM model, WordLevelTokenizer tokenizer)
    {
        var words = tokenizer.SpacedWords().ToArray();
        if (words.Length == 0) return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var scale = (1 / Math.Sqrt(2)).ToScalar(); // held until the call returns (see HeldScalars)
        var embedding = model.Body.EmbeddingWeight;
        var spaced = torch.tensor(words.Select(w => (long)w.Spaced).ToArray());
        var parts = embedding.index_select(0, torch.tensor(words.Select(w => (long)w.Space).ToArray()))
            .add(embedding.index_select(0, torch.tensor(words.Select(w => (long)w.Bare).ToArray())), HeldScalars.One);
        embedding.index_copy_(0, spaced, parts.mul(scale));
    }

    /// <summary>
    /// Each number token's row becomes (own row + a + (2t − 1)·b) / √3 with t = ln(1 + value) / ln(1000) and a, b drawn as the rows
    /// are (see <see cref="PolicyModelOptions.NumberTokens"/>): a marks a number, b orders numbers by value, and the own row tells
    /// them apart. "05" and "5" share their value and differ in their own rows only.
    /// </summary>
    private static void OrderNumberRows(Qwen2ForCausalLM model, WordLevelTokenizer tokenizer)
    {
        var numbers = tokenizer.NumberIds().OrderBy(n => n.Id).ToArray();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var embedding = model.Body.EmbeddingWeight;
        var spread = embedding.std().item<float>();
        using var third = (1 / Math.Sqrt(3)).ToScalar(); // held until the call returns (see HeldScalars)
        using var rowSpread = ((double)spread).ToScalar();
        var shared = torch.randn(2, embedding.shape[1], dtype: embedding.dtype).mul(rowSpread);
        var order = torch.tensor(numbers.Select(n => (float)(2 * Math.Log(1 + n.Value) / Math.Log(1000) - 1)).ToArray()).to(embedding.dtype).unsqueeze(1);
        var ids = torch.tensor(numbers.Select(n => (long)n.Id).ToArray());
        var rows = embedding.index_select(0, ids).add(shared[0], HeldScalars.One).add(order.mul(shared[1]), HeldScalars.One);
        embedding.index_copy_(0, ids, rows.mul(third));
    }

    private (Qwen2ForCausalLM, ITextTokenizer) CreatePolicy(IReadOnlyList<string> corpus)
    {
        var dtype = backend.ResolveDtype();
        var device = backend.ResolveDevice();
        if (!string.IsNullOrWhiteSpace(policy.Path))
            return (HuggingFaceCheckpoint.LoadCausalLM(policy.Path, dtype, device), HuggingFaceTokenizer.Load(policy.Path));
        var tokenizer = WordLevelTokenizer.Build(corpus, policy.VocabularyWords, policy.SpacesApart, policy.NumberTokens);
        var model = new Qwen2ForCausalLM(new Qwen2Config
        {
            VocabSize = tokenizer.VocabularySize, HiddenSize = policy.HiddenSize, IntermediateSize = policy.IntermediateSize,
            NumHiddenLayers = policy.Layers, NumAttentionHeads = policy.Heads, NumKeyValueHeads = policy.KeyValueHeads,
            MaxPositionEmbeddings = policy.MaxPromptTokens + maxResponseTokens, TieWordEmbeddings = policy.TieWordEmbeddings,
        });
        if (policy.TieWordEmbeddings) StartSharedMatrixAsAnOutputLayer(model);
        if (policy.ComposeSpacedWords) ComposeSpacedWordRows(model, tokenizer);
        if (policy.NumberTokens) OrderNumberRows(model, tokenizer);
        model.to(dtype).to(device);
        return (model, tokenizer);
    }
}
