#!/usr/bin/env python3
"""The PyTorch side of `bench device-figures`: the same model, phases, settings, timing and memory method, written as plain torch.

A Qwen2-shaped causal LM (rotary embeddings, grouped-query attention through repeat_interleave and scaled_dot_product_attention under an
additive mask, RMSNorm in float32, SwiGLU, tied embeddings), with random weights, as GiGPO.NET's Qwen2ForCausalLM computes it. Phases,
each in its own process so that its peak memory is its own:
  update-full, update-lora  one PPO update on ROWS x TOKENS tokens: float32 logits at the positions that predict the last RESPONSE tokens,
                            log-probs, entropy, dual-clip PPO loss, gradient clipping at 1.0, AdamW (float32 master weights and moments
                            for half-precision parameters); LoRA: rank 16, alpha 32, on all seven projections, the base frozen
  generate-sampled/-greedy  KV-cache generation of NEW tokens for PROMPTS prompts, temperature 1 (torch.multinomial on the device) or argmax
Each phase runs once untimed with the memory meter on, then REPEATS timed times; the median is reported. JSON as device-figures writes it.
Runs on torch >= 1.13 (CPU and CUDA): scaled_dot_product_attention is used where torch has it (2.0 and later), else the same math.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time

import torch
import torch.nn.functional as F

PHASES = ["update-full", "update-lora", "generate-sampled", "generate-greedy"]
SHAPES = {  # layers, hidden, intermediate, heads, kv heads, vocabulary (Qwen2.5's config.json files; tiny for smoke runs)
    "qwen2.5-0.5b": (24, 896, 4864, 14, 2, 151936),
    "qwen2.5-1.5b": (28, 1536, 8960, 12, 2, 151936),
    "tiny": (2, 64, 128, 4, 2, 1024),
}
LORA_RANK = 16


class LoraLinear(torch.nn.Module):
    """A frozen base projection plus B(A(x)) * alpha / rank (B starts at zero, as PEFT's)."""

    def __init__(self, base, rank):
        super().__init__()
        self.base = base
        self.a = torch.nn.Parameter(torch.randn(rank, base.in_features, dtype=base.weight.dtype, device=base.weight.device) / math.sqrt(base.in_features))
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank, dtype=base.weight.dtype, device=base.weight.device))
        self.scale = 2.0

    def forward(self, x):
        return self.base(x) + F.linear(F.linear(x, self.a), self.b) * self.scale


class RmsNorm(torch.nn.Module):
    def __init__(self, size, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * self.weight


class Layer(torch.nn.Module):
    def __init__(self, hidden, intermediate, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.q_proj = torch.nn.Linear(hidden, heads * self.head_dim)
        self.k_proj = torch.nn.Linear(hidden, kv_heads * self.head_dim)
        self.v_proj = torch.nn.Linear(hidden, kv_heads * self.head_dim)
        self.o_proj = torch.nn.Linear(heads * self.head_dim, hidden, bias=False)
        self.gate_proj = torch.nn.Linear(hidden, intermediate, bias=False)
        self.up_proj = torch.nn.Linear(hidden, intermediate, bias=False)
        self.down_proj = torch.nn.Linear(intermediate, hidden, bias=False)
        self.input_layernorm = RmsNorm(hidden)
        self.post_attention_layernorm = RmsNorm(hidden)

    def forward(self, x, cos, sin, mask, cache):
        b, t, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        if cache is not None:
            k, v = cache.append(self, k, v)
        if self.kv_heads != self.heads:
            k = k.repeat_interleave(self.heads // self.kv_heads, dim=1)
            v = v.repeat_interleave(self.heads // self.kv_heads, dim=1)
        attended = attention(q, k, v, mask)
        x = x + self.o_proj(attended.transpose(1, 2).reshape(b, t, -1))
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


def attention(q, k, v, mask):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + mask
    return scores.softmax(-1) @ v


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin


class KvCache:
    """Preallocated keys and values per layer, [B, kv heads, capacity, head dim], as GiGPO.NET's KvCache."""

    def __init__(self, model, batch, capacity, dtype, device):
        shape = (batch, model.layers[0].kv_heads, capacity, model.layers[0].head_dim)
        self.k = {id(l): torch.zeros(shape, dtype=dtype, device=device) for l in model.layers}
        self.v = {id(l): torch.zeros(shape, dtype=dtype, device=device) for l in model.layers}
        self.length = 0

    def append(self, layer, k, v):
        t = k.shape[2]
        self.k[id(layer)][:, :, self.length:self.length + t] = k
        self.v[id(layer)][:, :, self.length:self.length + t] = v
        return self.k[id(layer)][:, :, :self.length + t], self.v[id(layer)][:, :, :self.length + t]


class Qwen2(torch.nn.Module):
    def __init__(self, layers, hidden, intermediate, heads, kv_heads, vocab):
        super().__init__()
        self.embed_tokens = torch.nn.Embedding(vocab, hidden)
        self.layers = torch.nn.ModuleList([Layer(hidden, intermediate, heads, kv_heads) for _ in range(layers)])
        self.norm = RmsNorm(hidden)
        self.head_dim = hidden // heads
        self.vocab = vocab

    def hidden(self, ids, cache=None):
        b, t = ids.shape
        past = cache.length if cache is not None else 0
        positions = torch.arange(past, past + t, device=ids.device).unsqueeze(0).expand(b, t)
        inv = 1.0 / (1_000_000 ** (torch.arange(0, self.head_dim, 2, device=ids.device).float() / self.head_dim))
        angles = positions.float().unsqueeze(-1) * inv
        emb = torch.cat([angles, angles], -1).unsqueeze(1)
        x = self.embed_tokens(ids)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        keys = torch.arange(past + t, device=ids.device)
        queries = torch.arange(past, past + t, device=ids.device)
        allowed = (keys.unsqueeze(0) <= queries.unsqueeze(1)).unsqueeze(0).unsqueeze(0)
        mask = torch.zeros(allowed.shape, dtype=x.dtype, device=ids.device).masked_fill(~allowed, torch.finfo(x.dtype).min)
        for layer in self.layers:
            x = layer(x, cos, sin, mask, cache)
        if cache is not None:
            cache.length += t
        return self.norm(x)

    def logits(self, hidden):
        return F.linear(hidden, self.embed_tokens.weight).float()


class AdamW:
    """torch.optim.AdamW on float32 master copies of half-precision parameters (the parameters themselves when they are float32)."""

    def __init__(self, params, lr):
        self.params = list(params)
        self.masters = [p.detach().float().clone().requires_grad_(True) if p.dtype != torch.float32 else p for p in self.params]
        self.optimizer = torch.optim.AdamW(self.masters, lr=lr, weight_decay=0.01)

    def step(self):
        for p, m in zip(self.params, self.masters):
            if m is not p:
                m.grad = p.grad.float()
        self.optimizer.step()
        with torch.no_grad():
            for p, m in zip(self.params, self.masters):
                if m is not p:
                    p.copy_(m)
        for p in self.params:
            p.grad = None


class MemoryMeter:
    """Peak of total - free (torch.cuda.mem_get_info wraps cudaMemGetInfo), sampled every 5 ms, above the CUDA context; on the CPU,
    the process's peak resident set (VmHWM). The same method as GiGPO.NET's DeviceMemoryMeter."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"
        self.method = ("peak of total - free (cudaMemGetInfo, sampled every 5 ms) above the CUDA context" if self.cuda
                       else "peak resident set of the process (VmHWM)")
        if self.cuda:
            self.baseline = self.peak = self.used()
            self.stopped = False
            self.thread = threading.Thread(target=self.sample, daemon=True)
            self.thread.start()

    def used(self):
        free, total = torch.cuda.mem_get_info()
        return (total - free) / 1e9

    def sample(self):
        while not self.stopped:
            self.peak = max(self.peak, self.used())
            time.sleep(0.005)

    def stop(self):
        if not self.cuda:
            with open("/proc/self/status") as status:
                return next(int(l.split()[1]) * 1024 / 1e9 for l in status if l.startswith("VmHWM:"))
        self.stopped = True
        self.thread.join()
        return max(self.peak, self.used()) - self.baseline


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def one(phase, a):
    device = torch.device(a.device)
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[a.dtype]
    torch.set_num_threads(os.cpu_count())
    torch.ones(1, device=device)
    synchronize(device)
    torch.manual_seed(1)
    meter = MemoryMeter(device)
    layers, hidden, intermediate, heads, kv_heads, vocab = SHAPES[a.shape]
    model = Qwen2(layers, hidden, intermediate, heads, kv_heads, vocab).to(dtype).to(device)
    g = torch.Generator().manual_seed(1)

    def tokens(rows, count):
        return torch.randint(10, vocab - 1, (rows, count), generator=g).to(device)

    if phase.startswith("update"):
        if phase == "update-lora":
            for p in model.parameters():
                p.requires_grad_(False)
            for layer in model.layers:
                for name in ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]:
                    setattr(layer, name, LoraLinear(getattr(layer, name), LORA_RANK))
        trained = [p for p in model.parameters() if p.requires_grad]
        optimizer = AdamW(trained, lr=1e-5)
        ids = tokens(a.rows, a.tokens)
        response = ids[:, -a.response_tokens:]
        advantages = torch.tensor([1.0 if i % 2 == 0 else -1.0 for i in range(a.rows)], device=device).unsqueeze(1).expand(-1, a.response_tokens)

        def response_log_probs_and_entropy():
            h = model.hidden(ids)[:, -a.response_tokens - 1:-1]
            log_probs = model.logits(h).log_softmax(-1)
            return log_probs.gather(-1, response.unsqueeze(-1)).squeeze(-1), -(log_probs.exp() * log_probs).sum(-1)

        with torch.no_grad():
            old, _ = response_log_probs_and_entropy()

        def measured():
            log_probs, entropy = response_log_probs_and_entropy()
            ratio = (log_probs - old).exp()
            clipped = torch.maximum(-advantages * ratio, -advantages * ratio.clamp(0.8, 1.2))
            dual = torch.where(advantages < 0, torch.minimum(clipped, -advantages * 3.0), clipped)
            loss = dual.mean() - 0.0 * entropy.mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, 1.0)
            optimizer.step()
            loss.item()
            return a.rows * a.tokens
    else:
        prompts = tokens(a.prompts, a.prompt_tokens)
        sample_generator = torch.Generator(device=device).manual_seed(1)
        greedy = phase == "generate-greedy"

        @torch.no_grad()
        def measured():
            cache = KvCache(model, a.prompts, a.prompt_tokens + a.new_tokens, dtype, device)
            step_input, out = prompts, []
            for _ in range(a.new_tokens):
                logits = model.logits(model.hidden(step_input, cache)[:, -1])
                if greedy:
                    nxt = logits.argmax(-1)
                else:
                    log_probs = logits.log_softmax(-1)
                    nxt = torch.multinomial(log_probs.exp(), 1, generator=sample_generator).squeeze(-1)
                    log_probs.gather(-1, nxt.unsqueeze(-1))
                out.append(nxt)
                step_input = nxt.unsqueeze(-1)
            generated = torch.stack(out, 1).cpu()
            assert generated.shape == (a.prompts, a.new_tokens)
            return a.prompts * a.new_tokens

    count = measured()
    synchronize(device)
    peak = meter.stop()
    seconds = []
    for _ in range(a.repeats):
        start = time.perf_counter()
        measured()
        synchronize(device)
        seconds.append(time.perf_counter() - start)
    median = sorted(seconds)[a.repeats // 2]
    return {"phase": phase, "tokens_per_repeat": count, "seconds": seconds, "median_seconds": median, "tokens_per_second": count / median,
            "peak_memory_gb": peak, "memory_method": meter.method}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--shape", default="qwen2.5-0.5b", choices=sorted(SHAPES))
    for name, default in [("rows", 8), ("tokens", 1024), ("response-tokens", 256), ("prompts", 64), ("prompt-tokens", 128),
                          ("new-tokens", 256), ("repeats", 3)]:
        parser.add_argument("--" + name, type=int, default=default)
    parser.add_argument("--json")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.phase:
        print("measured " + json.dumps(one(a.phase, a)), flush=True)
        return
    if a.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit(f"pytorch_reference: --device {a.device}, but torch {torch.__version__} sees no CUDA device.")
    layers, hidden, intermediate, heads, kv_heads, vocab = SHAPES[a.shape]
    print(f"pytorch_reference: {a.shape} on {a.device}, {a.dtype}; torch {torch.__version__}; each phase its own process", flush=True)
    phases = {}
    for phase in PHASES:
        args = [a for a in sys.argv[1:]]
        if "--json" in args:
            i = args.index("--json")
            del args[i:i + 2]
        run = subprocess.run([sys.executable, os.path.abspath(__file__), *args, "--phase", phase], capture_output=True, text=True)
        line = next((l for l in reversed(run.stdout.splitlines()) if l.startswith("measured ")), None)
        if line is None:
            sys.exit(f"pytorch_reference: the {phase} process printed no figures (exit {run.returncode}):\n{run.stderr}{run.stdout}")
        f = phases[phase] = json.loads(line[len("measured "):])
        print(f"  {phase:<17} {f['tokens_per_repeat']:>7,} tokens: median {f['median_seconds']:.3f} s of {len(f['seconds'])} = "
              f"{f['tokens_per_second']:>10,.0f} tokens/s; peak memory {f['peak_memory_gb']:.2f} GB", flush=True)
    if a.json:
        settings = {k: v for k, v in vars(a).items() if k not in ("json", "phase")}
        h, q, kv = hidden, hidden, kv_heads * (hidden // heads)
        parameters = vocab * h + layers * (h * q + q + 2 * (h * kv + kv) + q * h + 3 * h * intermediate + 2 * h) + h
        with open(a.json, "w") as out:
            json.dump({"implementation": f"PyTorch {torch.__version__}", "settings": settings, "parameters": parameters, "phases": phases}, out, indent=2)
        print(f"written: {a.json}")


if __name__ == "__main__":
    main()
