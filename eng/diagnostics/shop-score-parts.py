#!/usr/bin/env python3
"""Where a shop policy's task score is lost: plays validation tasks with `gigpo play` and splits each purchase's WebShop score
into its parts (type match, asked attributes, asked options, price), as ShopGoal.Score computes it.

    python3 eng/diagnostics/shop-score-parts.py --checkpoint runs/<run>/checkpoints/final --tasks 64 -- --Environments:shop:Titles=Full
    python3 eng/diagnostics/shop-score-parts.py --expert --tasks 64

Arguments after `--` go to `gigpo play` (configuration overrides). Each episode's parts are printed as a JSON line, then the totals.
Every purchase's parts are checked against the score the environment printed, so a change in the page format fails loudly.
Beside each part is what chance gives: for the options, choosing uniformly among the values the bought item offers; for the price,
a shopper blind to prices, choosing among the listed results with the asked category and attributes (`price_chance`), or taking
the first of them on the first page (`first_match_price_ok`).
"""
import argparse
import json
import re
import subprocess
import sys

# The catalogue's categories (ShopCatalogue.Categories): the instruction names one right before " with ".
CATEGORIES = ["running shoes", "t-shirt", "headphones", "coffee", "shampoo", "backpack", "desk lamp", "phone case", "yoga mat",
              "water bottle"]


def parse_task(task):
    """Category, attributes, {option kind: value} and price limit of a shop instruction (ShopGoal.Instruction)."""
    category = next(c for c in CATEGORIES if f" {c} with " in task)
    head, tail = task[len("i need a "):].split(f" {category} with ", 1)
    options_text, limit = re.fullmatch(r"(.*), and price lower than ([\d.]+) dollars", tail).groups()
    options = dict(part.split(": ", 1) for part in options_text.split(", and "))
    return category, head.split(" and "), options, float(limit)


OPTION_KINDS = {"color", "size", "scent", "model"}


def names_category(title, category):
    """Whether a product title names the category (titles end with it, or with it and " for <audience>")."""
    return f" {category} " in f"{title} "


def webshop_score(type_ok, right, asked):
    """ShopGoal.Score: type match (1, else 0.1) × the asked parts got right / the asked parts (attributes + options + price)."""
    return (1 if type_ok else 0.1) * right / asked


def parse_item_page(page):
    """Option values per kind, title, price and chosen options of the item page an episode bought from."""
    parts = page.split(" [SEP] ")
    price_at = next(i for i, p in enumerate(parts) if p.startswith("Price: $"))
    offered, kind = {}, None
    for part in parts[2:price_at - 1]:  # after "Back to Search", "< Prev": kind, its values, next kind, ...
        if kind is None or part in OPTION_KINDS:
            kind = part
            offered[kind] = []
        else:
            offered[kind].append(part)
    chosen = {}
    selected = next((p for p in parts if p.startswith("Selected: ")), None)
    if selected:
        for choice in selected[len("Selected: "):].split(", "):
            k, v = choice.split(" ", 1)
            chosen[k] = v
    return offered, parts[price_at - 1], float(parts[price_at][len("Price: $"):]), chosen


def listed(page):
    """(title, price) of each result on a results page, in the order listed."""
    parts = page.split(" [SEP] ")
    return [(parts[i + 1], float(parts[i + 2][1:])) for i in range(len(parts) - 2)
            if re.fullmatch(r"B0[0-9A-Z]{8}", parts[i]) and parts[i + 2].startswith("$")]


def results_pages(pages):
    """The results pages an episode saw, in order, each as `listed` gives it."""
    return [listed(p) for p in pages if re.match(r"Back to Search \[SEP\] Page \d+ ", p)]


def play(cli, source, seed, split, extra):
    command = ["dotnet", cli, "play", *source, "--seed", str(seed), "--split", split, "--Training:Environment=shop", *extra]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"gigpo play failed for seed {seed} (exit {run.returncode}): {run.stderr.strip() or run.stdout[-2000:]}")
    return run.stdout


def episode_parts(seed, out):
    category, attributes, options, limit = parse_task(re.search(r"^Task \(shop\): (.*)$", out, re.M).group(1))
    pages = re.findall(r"^\[\d+\] (.*)$", out, re.M)
    score = re.search(r"Your score \(min 0\.0, max 1\.0\) \[SEP\] ([\d.]+)", out)
    row = {"seed": seed, "steps": len(pages), "bought": bool(score), "score": float(score.group(1)) if score else 0.0,
           "attributes": len(attributes), "options": len(options)}
    # A price-blind shopper: the first result on the first page whose title has the asked category and every asked attribute.
    # Whether its price is within the limit tells how often a policy that never reads prices would buy within the limit.
    seen = results_pages(pages)
    fits = lambda r: names_category(r[0], category) and all(a in r[0] for a in attributes)
    match = next((r for r in seen[0] if fits(r)), None) if seen else None
    if match is not None:
        row["first_match_price_ok"] = match[1] <= limit
    if not score:
        return row
    offered, title, price, chosen = parse_item_page([p for p in pages if p.endswith("Buy Now")][-1])
    on_offer = [k for k, v in options.items() if v in offered.get(k, [])]
    row.update(
        type_ok=names_category(title, category),
        attributes_right=sum(a in title for a in attributes),
        options_chosen=sum(k in chosen for k in options),
        options_on_offer=len(on_offer),
        options_right=sum(chosen.get(k) == v for k, v in options.items()),
        options_chance=sum(1 / len(offered[k]) for k in on_offer),
        first_value_chosen=sum(chosen.get(k) == offered[k][0] for k in options if k in offered and k in chosen),
        price_ok=price <= limit)
    if match is not None:
        row["bought_first_match"] = (title, price) == match
    # The price a shopper blind to prices gets right by chance: the share within the limit of the results, on the page the bought
    # item was listed on (the last such page seen), that have the asked category and attributes.
    source = next((page for page in reversed(seen) if (title, price) in page), None)
    matches = [r for r in source or [] if fits(r)]
    if matches:
        row["price_chance"] = sum(r[1] <= limit for r in matches) / len(matches)
    asked = len(attributes) + len(options) + 1
    expected = webshop_score(row["type_ok"], row["attributes_right"] + row["options_right"] + row["price_ok"], asked)
    if abs(expected - row["score"]) > 2e-3:
        sys.exit(f"seed {seed}: the parts give {expected:.3f}, the environment printed {row['score']:.3f}; the page format changed: {row}")
    # Asked options whose value starts with a letter: the instruction and the item page write it after a space (" silver"), the
    # action right after "click[" ("silver"), which word-level and GPT-style tokenizers make two tokens; a digit is one token either way.
    words = [k for k in on_offer if options[k][0].isalpha()]
    row.update(word_options_on_offer=len(words), word_options_right=sum(chosen.get(k) == options[k] for k in words),
               word_options_chance=sum(1 / len(offered[k]) for k in words))
    # The same purchase with every asked option that the item offers chosen right.
    row["score_options_right"] = round(webshop_score(row["type_ok"], row["attributes_right"] + row["options_on_offer"] + row["price_ok"], asked), 4)
    # The same purchase had its price been within the limit.
    row["score_price_right"] = round(webshop_score(row["type_ok"], row["attributes_right"] + row["options_right"] + 1, asked), 4)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="a run's checkpoints/final or checkpoints/iter-<K> folder, or a warm start's policy folder")
    source.add_argument("--expert", action="store_true", help="let the environment's expert play")
    parser.add_argument("--tasks", type=int, default=64, help="validation tasks, seeds 0 to N-1 (default 64)")
    parser.add_argument("--split", default="Validation")
    parser.add_argument("--cli", default="src/Cli/bin/Release/net10.0/gigpo.dll", help="a built gigpo.dll")
    parser.add_argument("extra", nargs="*", help="configuration overrides for gigpo play, after --")
    args = parser.parse_args()

    rows = []
    for seed in range(args.tasks):
        rows.append(episode_parts(seed, play(args.cli, ["--expert"] if args.expert else ["-c", args.checkpoint], seed, args.split, args.extra)))
        print(json.dumps(rows[-1]), flush=True)
    bought = [r for r in rows if r["bought"]]
    total = lambda key: sum(r[key] for r in bought)
    summary = {"episodes": len(rows), "bought": len(bought), "mean_score": round(sum(r["score"] for r in rows) / len(rows), 4),
               "mean_score_options_right": round(sum(r.get("score_options_right", 0) for r in rows) / len(rows), 4),
               "mean_score_price_right": round(sum(r.get("score_price_right", 0) for r in rows) / len(rows), 4),
               "success": sum(r["score"] >= 1 - 1e-9 for r in rows), "mean_steps": round(sum(r["steps"] for r in rows) / len(rows), 2)}
    if bought:
        summary.update({key: round(total(key), 2) for key in
                        ["type_ok", "attributes", "attributes_right", "options", "options_chosen", "options_on_offer", "options_right",
                         "options_chance", "word_options_on_offer", "word_options_right", "word_options_chance", "first_value_chosen", "price_ok"]})
        # Where reading the price matters: the first matching result is over the limit. A price-blind policy buys over it there.
        over = [r for r in bought if r.get("first_match_price_ok") is False]
        summary.update(first_match_price_ok=sum(r.get("first_match_price_ok") is True for r in bought),
                       bought_first_match=sum(r.get("bought_first_match") is True for r in bought),
                       first_match_over_limit=len(over), price_ok_where_first_match_over=sum(r["price_ok"] for r in over),
                       price_chance=round(sum(r.get("price_chance", 0) for r in bought), 2),
                       price_judged=sum("price_chance" in r for r in bought),
                       price_ok_judged=sum(r["price_ok"] for r in bought if "price_chance" in r))
    print(json.dumps({"summary": summary}))


if __name__ == "__main__":
    main()
