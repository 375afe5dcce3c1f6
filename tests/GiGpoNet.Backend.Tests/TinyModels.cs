using GiGpoNet.Backend.Model;
using TorchSharp;

namespace GiGpoNet.Backend.Tests;

internal static class TinyModels
{
    public static Qwen2Config Config(int vocabulary = 64, bool tied = false, int kvHeads = 2) => new()
    {
        VocabSize = vocabulary, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4,
        NumKeyValueHeads = kvHeads, RopeTheta = 10_000, TieWordEmbeddings = tied, MaxPositionEmbeddings = 256,
    };

    public static Qwen2ForCausalLM Create(int seed = 1, int vocabulary = 64, bool tied = false)
    {
        torch.manual_seed(seed);
        return new Qwen2ForCausalLM(Config(vocabulary, tied));
    }
}
