#!/usr/bin/env python3
"""Generates the golden files the C# tests compare against.

Run from this folder with CPython 3 (standard library only):  python3 generate_golden.py
- sequence_matcher_golden.jsonl: difflib.SequenceMatcher(None, a, b).ratio() for varied pairs (autojunk, unicode, empty).
- gigpo_golden.jsonl: whole batches with settings and the advantages an independent transcription of the
  specification (../../../../shared/reference/algorithms.md sections 2-4) computes, rows in trajectory-major order
  as verl-agent's gather_rollout_data produces them.
"""
import difflib
import json
import math
import random

rng = random.Random(20251126)


def ratio_cases():
    cases = []
    alphabets = ["ab", "abc ", "abcdefgh ", "xyz\u00e9\u4e2d\U0001F600 ", "the quick brown fox jumps over lazy dog 0123456789"]
    for _ in range(400):
        alphabet = rng.choice(alphabets)
        la = rng.choice([0, 1, 3, 10, 40, 120, 199, 200, 201, 260, 400])
        a = "".join(rng.choice(alphabet) for _ in range(la))
        mode = rng.random()
        if mode < 0.4 and a:
            # b is an edited copy of a: similar strings are the interesting ones.
            b = list(a)
            for _ in range(rng.randint(0, max(1, len(b) // 10))):
                op = rng.random()
                pos = rng.randrange(len(b) + 1)
                if op < 0.4 and b:
                    del b[min(pos, len(b) - 1)]
                elif op < 0.8:
                    b.insert(pos, rng.choice(alphabet))
                elif b:
                    b[min(pos, len(b) - 1)] = rng.choice(alphabet)
            b = "".join(b)
        else:
            lb = rng.choice([0, 1, 5, 30, 150, 200, 250, 380])
            b = "".join(rng.choice(alphabet) for _ in range(lb))
        cases.append({"a": a, "b": b, "ratio": difflib.SequenceMatcher(None, a, b).ratio()})
    # Every element of b is "popular" (autojunk); the match still grows through the extension step.
    cases.append({"a": "a" * 300, "b": "a" * 300, "ratio": difflib.SequenceMatcher(None, "a" * 300, "a" * 300).ratio()})
    return cases


def mean(xs):
    # The specification: a group whose values are all equal has advantage exactly 0 (its mean is that value).
    return xs[0] if min(xs) == max(xs) else sum(xs) / len(xs)


def std_unbiased(xs):
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def oracle(rows, cfg):
    """rows: trajectory-major list of dicts (only active rows are used for statistics)."""
    eps = cfg["epsilon"]
    pen = cfg["invalid_action_penalty_coef"]
    remove_std = cfg["mode"] == "mean_norm"
    act = [r for r in rows if r.get("active", True)]
    # episode return per trajectory, row scores with own penalty
    ep_ret = {}
    for r in act:
        ep_ret[r["traj"]] = ep_ret.get(r["traj"], 0.0) + r["reward"]
    score = [ep_ret[r["traj"]] - (0.0 if r.get("action_valid", True) else pen) for r in act]
    # discounted step returns from raw rewards, then penalty
    step_ret = [0.0] * len(act)
    by_traj = {}
    for i, r in enumerate(act):
        by_traj.setdefault(r["traj"], []).append(i)
    for idxs in by_traj.values():
        running = 0.0
        for i in sorted(idxs, key=lambda i: act[i]["step"], reverse=True):
            running = act[i]["reward"] + cfg["gamma"] * running
            step_ret[i] = running
    for i, r in enumerate(act):
        if not r.get("action_valid", True):
            step_ret[i] -= pen
    # episode statistics per uid
    id2score = {}
    seen = set()
    for i, r in enumerate(act):
        key = (r["group"], r["traj"])
        if key in seen:
            continue
        id2score.setdefault(r["group"], []).append(score[i])
        if not cfg["compute_mean_std_cross_steps"]:
            seen.add(key)
    stats = {}
    for g, xs in id2score.items():
        stats[g] = (0.0, 1.0) if len(xs) == 1 else (mean(xs), std_unbiased(xs))
    ep_adv = []
    for i, r in enumerate(act):
        m, s = stats[r["group"]]
        ep_adv.append(score[i] - m if remove_std else (score[i] - m) / (s + eps))
    # step groups inside each uid, batch order
    cluster_of = [None] * len(act)
    next_id = 0
    for g in dict.fromkeys(r["group"] for r in act):
        locs = [i for i, r in enumerate(act) if r["group"] == g]
        if not cfg["enable_similarity"]:
            clusters = {}
            for i in locs:
                clusters.setdefault(act[i]["anchor"], []).append(i)
            groups = list(clusters.values())
        else:
            reps = []
            for i in locs:
                for c in reps:
                    if difflib.SequenceMatcher(None, act[i]["anchor"], c["rep"]).ratio() >= cfg["similarity_thresh"]:
                        c["locs"].append(i)
                        break
                else:
                    reps.append({"rep": act[i]["anchor"], "locs": [i]})
            groups = [c["locs"] for c in reps]
        for members in groups:
            for i in members:
                cluster_of[i] = next_id
            next_id += 1
    members = {}
    for i, c in enumerate(cluster_of):
        members.setdefault(c, []).append(step_ret[i])
    st_adv = []
    sizes = []
    for i, c in enumerate(cluster_of):
        xs = members[c]
        sizes.append(len(xs))
        if len(xs) == 1:
            st_adv.append(0.0)
        else:
            m, s = mean(xs), std_unbiased(xs)
            st_adv.append(step_ret[i] - m if remove_std else (step_ret[i] - m) / (s + eps))
    out = {}
    for i, r in enumerate(act):
        out[(r["traj"], r["step"])] = {
            "adv": ep_adv[i] + cfg["step_advantage_w"] * st_adv[i],
            "episode_adv": ep_adv[i], "step_adv": st_adv[i], "step_return": step_ret[i], "step_group_size": sizes[i],
        }
    return out, next_id


def random_batch(similar):
    states = ["You arrive at %s %d. %s" % (rng.choice(["fridge", "countertop", "cabinet", "drawer", "sinkbasin"]), rng.randint(1, 3),
                                           rng.choice(["It is closed.", "On it, you see a mug 1.", "On it, you see nothing.", "It is open."]))
              for _ in range(rng.randint(2, 7))]
    if similar:
        states = [s + " " + "".join(rng.choice("ab") for _ in range(rng.randint(0, 3))) for s in states]
    rows = []
    for g in range(rng.randint(1, 4)):
        for t in range(rng.randint(1, 5)):
            length = rng.randint(1, 9)
            won = rng.random() < 0.5
            for k in range(length):
                last = k == length - 1
                rows.append({"group": "g%d" % g, "traj": "g%d-t%d" % (g, t), "step": k,
                             "anchor": rng.choice(states) if k else "start of task %d" % g,
                             "reward": (10.0 if won and last else 0.0) + rng.choice([0.0, 0.0, -0.1, 0.5]),
                             "action_valid": rng.random() > 0.2})
            for k in range(rng.choice([0, 0, 2])):
                rows.append({"group": "g%d" % g, "traj": "g%d-t%d" % (g, t), "step": length + k, "anchor": rng.choice(states),
                             "reward": rng.choice([0.0, 3.0]), "active": False})
    return rows


def gigpo_cases():
    cases = []
    for n in range(60):
        similar = n % 3 == 2
        cfg = {
            "mode": rng.choice(["mean_norm", "mean_std_norm"]),
            "gamma": rng.choice([1.0, 0.95, 0.5]),
            "step_advantage_w": rng.choice([1.0, 0.4]),
            "epsilon": 1e-6,
            "invalid_action_penalty_coef": rng.choice([0.0, 0.1]),
            "compute_mean_std_cross_steps": rng.random() < 0.6,
            "enable_similarity": similar,
            "similarity_thresh": rng.choice([0.9, 0.95]),
        }
        rows = random_batch(similar)
        out, step_groups = oracle(rows, cfg)
        for r in rows:
            r["expected"] = out.get((r["traj"], r["step"])) if r.get("active", True) else None
        cases.append({"config": cfg, "step_groups": step_groups, "rows": rows})
    return cases


if __name__ == "__main__":
    with open("sequence_matcher_golden.jsonl", "w", encoding="utf-8") as f:
        for c in ratio_cases():
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    with open("gigpo_golden.jsonl", "w", encoding="utf-8") as f:
        for c in gigpo_cases():
            f.write(json.dumps(c) + "\n")
