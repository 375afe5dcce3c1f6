namespace GiGpoNet.Serving.Protocol;

/// <summary><c>GET /v1/models</c>.</summary>
internal sealed record ModelList(string Object, IReadOnlyList<ModelCard> Data);

/// <summary>A served model: the base checkpoint, or a LoRA adapter over it (<c>parent</c>, as vLLM lists adapters).</summary>
internal sealed record ModelCard(string Id, string Object, long Created, string OwnedBy, string Root, string? Parent, int MaxModelLen);

/// <summary>vLLM's <c>POST /v1/load_lora_adapter</c>.</summary>
internal sealed record LoadLoraAdapterRequest(string? LoraName, string? LoraPath);

/// <summary>vLLM's <c>POST /v1/unload_lora_adapter</c>.</summary>
internal sealed record UnloadLoraAdapterRequest(string? LoraName);

/// <summary>SGLang's <c>POST /update_weights_from_disk</c>.</summary>
internal sealed record UpdateWeightsRequest(string? ModelPath);

/// <summary>SGLang's answer to a weight update.</summary>
internal sealed record UpdateWeightsResponse(bool Success, string Message);
