using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;

namespace GiGpoNet.Backend.Checkpoints;

/// <summary>
/// What keeps a pretrained model folder from being trained or served, found before any weight is allocated: its config and weight
/// headers (<see cref="HuggingFaceCheckpoint.Problems"/>), its tokenizer (it must load, fit the model's vocabulary and have a chat
/// template) and its context length against what the run needs.
/// </summary>
internal static class PretrainedFolder
{
    public static IEnumerable<string> Problems(string folder, int contextTokens)
    {
        var model = HuggingFaceCheckpoint.Problems(folder).ToList();
        foreach (var problem in model) yield return $"cannot be loaded: {problem}";
        string? tokenizerProblem = null;
        HuggingFaceTokenizer? tokenizer = null;
        try
        {
            tokenizer = HuggingFaceTokenizer.Load(folder);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ChatTemplateException)
        {
            tokenizerProblem = e.Message;
        }
        if (tokenizerProblem is not null)
        {
            yield return $"{tokenizerProblem} A pretrained policy needs its Hugging Face tokenizer.json.";
            yield break;
        }
        if (!tokenizer!.HasChatTemplate)
            yield return "the model has no chat template (tokenizer_config.json's chat_template or chat_template.jinja), and a policy's prompts are chat " +
                         "messages; use the model's instruct version, or add its template.";
        if (model.Count > 0) yield break;
        var config = Qwen2Config.Load(Path.Combine(folder, "config.json"));
        if (VocabularyProblem(tokenizer, config) is { } vocabulary) yield return vocabulary;
        if (contextTokens > config.MaxPositionEmbeddings)
            yield return $"max_position_embeddings = {config.MaxPositionEmbeddings} in config.json is shorter than the {contextTokens} tokens a turn may need " +
                         "(Policy:MaxPromptTokens + Rollout:MaxNewTokens); lower them.";
    }

    /// <summary>Whether the tokenizer's ids fit the model's embedding, or what is wrong.</summary>
    public static string? VocabularyProblem(ITextTokenizer tokenizer, Qwen2Config config) => tokenizer.VocabularySize > config.VocabSize
        ? $"the tokenizer has ids up to {tokenizer.VocabularySize - 1}, but the model's vocab_size is {config.VocabSize}: the tokenizer is not this model's."
        : null;
}
