#!/usr/bin/env python3
"""The pre-registered long-horizon comparison's decision rule and secondary outcomes (docs/preregistration-long-horizon.md),
computed from the grid's cell folders:

    python3 eng/diagnostics/long-horizon-verdict.py [runs/ablations/gigpo-vs-grpo-household-long] [--replays runs/levels]

(default: docs/results/gigpo-vs-grpo-household-long, the finished cells kept in the repository). Only seeds whose two cells have
finished count. Prints Markdown. --replays: a folder of iterations replayed with eng/diagnostics/replay-iteration.sh into
subfolders named <cell>-from<K>; their per-level advantage metrics are tabled, after checking that every metric the cell
recorded for that iteration came out equal.
"""
import json
import math
import os
import re
import statistics
import sys

ARMS = ("gigpo_w_std", "grpo")
HORIZON = 50  # Rollout:MaxSteps of the grid: a household episode that does not succeed runs to it


def events(run):
    return [json.loads(line) for line in open(os.path.join(run, "metrics.jsonl"))]


def iterations(run_events):
    """The RL iterations' events (the warm start's is an "iteration" event too, without env_steps)."""
    return [e for e in run_events if e.get("event") == "iteration" and "env_steps" in e]


def load(folder, cell):
    if not os.path.exists(os.path.join(folder, cell, "summary.json")):
        return None
    run_events = events(os.path.join(folder, cell))
    return {
        "evaluations": [e for e in run_events if e.get("event") == "evaluation"],
        "iterations": iterations(run_events),
        "finished": next(e for e in run_events if e.get("event") == "finished"),
    }


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def verdict(deltas):
    n = len(deltas)
    m = mean(deltas)
    sd = statistics.stdev(deltas) if n > 1 else float("nan")
    se = sd / math.sqrt(n)
    won, tied, lost = sum(d > 0 for d in deltas), sum(d == 0 for d in deltas), sum(d < 0 for d in deltas)
    return m, sd, se, won, tied, lost


def successful_length(evaluation):
    """Mean length of the successful episodes of an evaluation, where every other episode ran to the horizon (else NaN)."""
    s, length = evaluation["success_rate"], evaluation["episode_length_mean"]
    if s == 0 or abs(s + evaluation["truncated_rate"] - 1) > 1e-9:
        return float("nan")
    return (length - HORIZON * (1 - s)) / s


def replays(folder, grid):
    """Per-level advantage metrics of replayed iterations, each checked against the cell's own record of that iteration."""
    print("\nWhat each level gives the update, in iterations replayed from the cells' checkpoints (mean |A| over active rows, before ω):\n")
    print("| cell | iteration | training success % | groups with all-equal returns % | episode level | step level | rows the step level moves % "
          "| step level's Σ A² within trajectories % | corr(A_E, A_S) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    shown = []
    names = [n for n in os.listdir(folder) if re.fullmatch(r".+-from\d+", n) and os.path.exists(os.path.join(folder, n, "metrics.jsonl"))]
    for name in sorted(names, key=lambda n: (n.rsplit("-from", 1)[0], int(n.rsplit("-from", 1)[1]))):
        cell, k = name.rsplit("-from", 1)
        if not os.path.exists(os.path.join(grid, cell, "metrics.jsonl")):
            sys.exit(f"{name}: the grid folder {grid} has no cell {cell}; name a replay <cell>-from<K>.")
        replayed = iterations(events(os.path.join(folder, name)))
        original = [e for e in iterations(events(os.path.join(grid, cell))) if e["iteration"] == int(k) + 1]
        if not replayed or not original:
            continue
        replayed, original = replayed[-1], original[0]
        differ = [key for key in original if not key.startswith("time_") and key != "advantage_time_share" and original[key] != replayed.get(key)]
        if differ:
            sys.exit(f"{name}: the replay differs from the cell's iteration {int(k) + 1} in {differ}; it is not the same iteration.")
        within, corr = replayed.get("step_adv_within_trajectory_share"), replayed.get("episode_step_adv_corr")
        print(f"| {cell} | {int(k) + 1} | {100 * replayed['success_rate']:.1f} | {100 * replayed['uniform_group_fraction']:.0f} | "
              f"{replayed['episode_adv_abs_mean']:.3f} | {replayed['step_adv_abs_mean']:.3f} | {100 * replayed['step_adv_nonzero_fraction']:.1f} | "
              f"{'–' if within is None else f'{100 * within:.1f}'} | {'–' if corr is None else f'{corr:+.2f}'} |")
        shown.append(replayed)
    overlap = [r for r in shown if "step_adv_within_trajectory_share" in r]
    if overlap:
        share = [100 * r["step_adv_within_trajectory_share"] for r in overlap]
        corr = [r["episode_step_adv_corr"] for r in overlap]
        print(f"\nOver the {len(overlap)} replays with the overlap metrics: the step level's Σ A² within trajectories "
              f"{statistics.mean(share):.1f}% on average ({min(share):.1f}–{max(share):.1f}); "
              f"corr(A_E, A_S) {statistics.mean(corr):+.2f} ({min(corr):+.2f} to {max(corr):+.2f}).")


def main():
    args = sys.argv[1:]
    replay_folder = None
    if "--replays" in args:
        at = args.index("--replays")
        replay_folder = args[at + 1]
        del args[at:at + 2]
    folder = args[0] if args else "docs/results/gigpo-vs-grpo-household-long"
    seeds = []
    for seed in range(1, 9):
        cells = {arm: load(folder, f"{arm}__seed{seed}") for arm in ARMS}
        if all(cells.values()):
            seeds.append((seed, cells))
    if not seeds:
        sys.exit(f"{folder}: no seed has both cells finished (a cell is finished when its folder holds summary.json).")

    print(f"Seeds with both cells finished: {', '.join(str(s) for s, _ in seeds)} ({len(seeds)} of 8)\n")
    print("| seed | warm start | GiGPO w/ std: evaluations | GRPO: evaluations | final Δ | Δ on the mean evaluation |")
    print("|---:|---:|---|---|---:|---:|")
    final, overall = [], []
    for seed, cells in seeds:
        evals = {arm: [100 * e["success_rate"] for e in cells[arm]["evaluations"]] for arm in ARMS}
        final.append(evals["gigpo_w_std"][-1] - evals["grpo"][-1])
        overall.append(mean(evals["gigpo_w_std"]) - mean(evals["grpo"]))
        warm = 100 * cells["gigpo_w_std"]["finished"]["warm_start_success"]
        print(f"| {seed} | {warm:.1f}% | {' · '.join(f'{v:.1f}' for v in evals['gigpo_w_std'])} | "
              f"{' · '.join(f'{v:.1f}' for v in evals['grpo'])} | {final[-1]:+.1f} | {overall[-1]:+.1f} |")

    print("\n| outcome | mean Δ | sd | SE | mean Δ − 2 SE | won / tied / lost | target (mean Δ ≥ 5.0) | clear (mean Δ − 2 SE > 0) |")
    print("|---|---:|---:|---:|---:|---|---|---|")
    for name, deltas in (("final success (primary)", final), ("mean over evaluations", overall)):
        m, sd, se, won, tied, lost = verdict(deltas)
        print(f"| {name} | {m:+.2f} | {sd:.2f} | {se:.2f} | {m - 2 * se:+.2f} | {won} / {tied} / {lost} | "
              f"{'met' if m >= 5.0 else 'not met'} | {'clear' if m - 2 * se > 0 else 'not distinguishable from zero'} |")

    types = sorted({k.split("/", 1)[1] for _, c in seeds for e in c["grpo"]["evaluations"] for k in e if k.startswith("success_rate/")})
    print("\nPer task type (validation success %, mean over seeds; a seed counts where its evaluations held the type):\n")
    print("| task type | GiGPO final | GRPO final | final Δ | GiGPO mean eval. | GRPO mean eval. | Δ mean eval. |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for t in types:
        key = f"success_rate/{t}"
        row = {}
        for arm in ARMS:
            row[arm, "final"] = mean(100 * c[arm]["evaluations"][-1][key] for _, c in seeds if key in c[arm]["evaluations"][-1])
            row[arm, "mean"] = mean(mean(100 * e[key] for e in c[arm]["evaluations"] if key in e) for _, c in seeds)
        print(f"| {t} | {row['gigpo_w_std', 'final']:.1f} | {row['grpo', 'final']:.1f} | {row['gigpo_w_std', 'final'] - row['grpo', 'final']:+.1f} | "
              f"{row['gigpo_w_std', 'mean']:.1f} | {row['grpo', 'mean']:.1f} | {row['gigpo_w_std', 'mean'] - row['grpo', 'mean']:+.1f} |")

    print("\nEpisodes and groups (means over seeds; training figures over every iteration of a cell):\n")
    print("| | GiGPO w/ std | GRPO |")
    print("|---|---:|---:|")
    rows = [
        ("training episode length", lambda c: mean(i["episode_length_mean"] for i in c["iterations"])),
        ("training success %", lambda c: mean(100 * i["success_rate"] for i in c["iterations"])),
        ("groups of 8 with all-equal returns %", lambda c: mean(100 * i["uniform_group_fraction"] for i in c["iterations"])),
        ("successful validation episodes' length, final", lambda c: successful_length(c["evaluations"][-1])),
        ("successful validation episodes' length, all evaluations", lambda c: mean(successful_length(e) for e in c["evaluations"])),
        ("environment steps", lambda c: c["finished"]["env_steps"]),
        ("iterations", lambda c: c["finished"]["iterations"]),
    ]
    for name, f in rows:
        print(f"| {name} | {mean(f(c['gigpo_w_std']) for _, c in seeds):.2f} | {mean(f(c['grpo']) for _, c in seeds):.2f} |")

    print("\nGiGPO's step groups (means over seeds), beside the paper's (ALFWorld, 1.5B: singletons below 35% throughout; at iteration 10,")
    print("more than 20% of size ≥ 10, and 16.2% of size 10–49 and 5.6% of 50+):\n")
    print("| | all iterations | iterations 1–10 | last 5 iterations |")
    print("|---|---:|---:|---:|")
    for name, key, scale in (("rows a step group", "step_group_size_mean", 1), ("singletons %", "step_group_singleton_fraction", 100),
                             ("size 2–5 %", "step_group_size_share/2-5", 100), ("size 6–9 %", "step_group_size_share/6-9", 100),
                             ("size 10–49 %", "step_group_size_share/10-49", 100), ("size 50+ %", "step_group_size_share/50+", 100)):
        cells = [c["gigpo_w_std"]["iterations"] for _, c in seeds]
        parts = [mean(mean(scale * i[key] for i in its) for its in cells),
                 mean(mean(scale * i[key] for i in its[:10]) for its in cells),
                 mean(mean(scale * i[key] for i in its[-5:]) for its in cells)]
        print(f"| {name} | " + " | ".join(f"{p:.2f}" for p in parts) + " |")
    if replay_folder:
        replays(replay_folder, folder)


if __name__ == "__main__":
    main()
