namespace GiGpoNet.Policies.OpenAI;

/// <summary>How the learner's weights reach the inference server before each rollout.</summary>
public enum WeightSyncMode
{
    /// <summary>A LoRA adapter when the learner trains one, else the full weights.</summary>
    Auto,

    /// <summary>Save the adapter and load it through <c>POST /v1/load_lora_adapter</c> (vLLM's request shape), then sample with it.</summary>
    Lora,

    /// <summary>Save the weights and have the server reload them from that folder (<c>POST /update_weights_from_disk</c>, SGLang's shape).</summary>
    Full,

    /// <summary>Never: the server keeps its weights (evaluating a fixed model, or weights updated by other means).</summary>
    None,
}
