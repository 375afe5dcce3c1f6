#!/usr/bin/env python3
"""Side-by-side reports for the GPU checks (eng/gpu/run.sh); standard library only.

  compare.py figures DOTNET.json PYTORCH.json   the device-figures phases of both implementations, with the time ratio TorchSharp/PyTorch
                                                (below 1: TorchSharp is faster) and both peaks of memory; markdown on standard output
  compare.py metrics CPU.csv DEVICE.csv [--iterations N] [--rtol R] [--atol A]
                                                the first N iterations' metrics of two `gigpo train` runs (timing columns left out): each
                                                column's largest difference, and exit 1 when one exceeds atol + rtol * |cpu value|
"""
import argparse
import csv
import json
import math
import sys

TIMING = ("time_", "advantage_time_share", "wall_", "peak_memory")


def figures(args):
    with open(args.dotnet) as f:
        dotnet = json.load(f)
    with open(args.pytorch) as f:
        pytorch = json.load(f)
    s = dotnet["settings"]
    print(f"{dotnet['implementation']} vs {pytorch['implementation']}: {s['shape']}, {s['dtype']} on {s['device']}; updates on "
          f"{s['rows']} x {s['tokens']} tokens ({s['response_tokens']} scored), generation {s['prompts']} prompts x {s['new_tokens']} new tokens "
          f"(prompt {s['prompt_tokens']}), medians of {s['repeats']}")
    print()
    print("| phase | TorchSharp tokens/s | PyTorch tokens/s | time ratio TorchSharp/PyTorch | TorchSharp peak memory | PyTorch peak memory |")
    print("|---|---:|---:|---:|---:|---:|")
    for phase, d in dotnet["phases"].items():
        p = pytorch["phases"].get(phase)
        if p is None:
            print(f"| {phase} | {d['tokens_per_second']:,.0f} | (not measured) | | {d['peak_memory_gb']:.2f} GB | |")
            continue
        print(f"| {phase} | {d['tokens_per_second']:,.0f} | {p['tokens_per_second']:,.0f} | {d['median_seconds'] / p['median_seconds']:.2f} | "
              f"{d['peak_memory_gb']:.2f} GB | {p['peak_memory_gb']:.2f} GB |")
    print()
    print(f"Memory: {next(iter(dotnet['phases'].values()))['memory_method']}.")


def read(path, iterations):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) < iterations:
        sys.exit(f"compare.py: {path} has {len(rows)} iteration(s); {iterations} are compared. Did the run finish?")
    return rows[:iterations]


def metrics(args):
    cpu, device = read(args.cpu, args.iterations), read(args.device, args.iterations)
    columns = [c for c in cpu[0] if c in device[0] and c != "iteration" and not c.startswith(TIMING)]
    failed = []
    print(f"| column | cpu (iteration 1) | device (iteration 1) | largest difference over {args.iterations} iteration(s) | within atol + rtol x abs(cpu) |")
    print("|---|---:|---:|---:|---|")
    for c in columns:
        worst, ok = 0.0, True
        for a, b in zip(cpu, device):
            if a[c] == "" and b[c] == "":
                continue
            try:
                x, y = float(a[c]), float(b[c])
            except ValueError:
                ok = ok and a[c] == b[c]
                continue
            if math.isnan(x) and math.isnan(y):
                continue
            diff = abs(x - y)
            worst = max(worst, diff)
            ok = ok and diff <= args.atol + args.rtol * abs(x)
        if not ok:
            failed.append(c)
        print(f"| {c} | {cpu[0][c]} | {device[0][c]} | {worst:.3g} | {'yes' if ok else 'NO'} |")
    print()
    if failed:
        print(f"Differences beyond tolerance (atol {args.atol}, rtol {args.rtol}) in: {', '.join(failed)}. A sampled token that flips on a tiny "
              "difference of probabilities changes that trajectory from there on; episode statistics then differ by whole steps.")
        sys.exit(1)
    print(f"All {len(columns)} metric columns agree within atol {args.atol} + rtol {args.rtol} x |cpu|.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("figures")
    f.add_argument("dotnet")
    f.add_argument("pytorch")
    m = sub.add_parser("metrics")
    m.add_argument("cpu")
    m.add_argument("device")
    m.add_argument("--iterations", type=int, default=1)
    m.add_argument("--rtol", type=float, default=1e-3)
    m.add_argument("--atol", type=float, default=1e-4)
    args = parser.parse_args()
    figures(args) if args.command == "figures" else metrics(args)


if __name__ == "__main__":
    main()
