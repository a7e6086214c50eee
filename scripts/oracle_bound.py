#!/usr/bin/env python3
"""What the best model of a search space scores on the TEST part, chosen by looking at it.

Samples N random settings from a tuning config's `search.space` (choice, int, uniform,
log_uniform), trains each with `recur train CONFIG --set key=value ... --json`, and records the
validation and test RMSE. Then it trains the K settings with the lowest TEST RMSE again as an
ensemble of `--members` networks (`training.ensemble`). No honest tuner can use the test part to
choose, so the lowest test RMSE found here is what a validation-chosen model of the same space
could at best hope for: when it is above a target, the target is out of reach of that space on
that split (up to what N random draws cover).

    scripts/oracle_bound.py examples/melbourne-calendar-tune.json --trials 80 --seed 11
    scripts/oracle_bound.py CONFIG --recur .build/release/recur --top 3 --members 5

One JSON line per training on stdout; a summary on stderr. Packages go to a temp folder that is
removed.
"""
import argparse
import json
import math
import random
import subprocess
import sys
import tempfile


def strip_comments(text):
    """The config's `//` line comments removed (outside strings)."""
    out = []
    for line in text.splitlines():
        in_string, escaped, cut = False, False, None
        for i, ch in enumerate(line):
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = not in_string
            elif not in_string and line.startswith("//", i):
                cut = i
                break
        out.append(line if cut is None else line[:cut])
    return "\n".join(out)


def sample(spec, rng):
    """One value of a `search.space` entry."""
    (kind, args), = spec.items()
    if kind == "choice":
        return rng.choice(args)
    if kind == "int":
        return rng.randint(int(args[0]), int(args[1]))
    if kind == "uniform":
        return round(rng.uniform(args[0], args[1]), 4)
    if kind == "log_uniform":
        return float("%.6g" % math.exp(rng.uniform(math.log(args[0]), math.log(args[1]))))
    sys.exit(f"oracle_bound: space kind {kind!r} is not handled (choice, int, uniform, log_uniform)")


def train(recur, config, params, folder, extra=()):
    args = [recur, "train", config, "--json", "--quiet", "--output", f"{folder}/pkg", "--results", f"{folder}/r.csv"]
    for key, value in list(params.items()) + list(extra):
        args += ["--set", f"{key}={value}"]
    run = subprocess.run(args, capture_output=True, text=True)
    subprocess.run(["rm", "-rf", f"{folder}/pkg"])
    if run.returncode != 0:
        print(f"oracle_bound: recur train failed for {params}: {run.stderr.strip()[-400:]}", file=sys.stderr)
        return None
    metrics = json.loads(run.stdout)["metrics"]
    return metrics["validation"]["rmse"], metrics["test"]["rmse"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config")
    parser.add_argument("--recur", default=".build/release/recur")
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--top", type=int, default=3, help="settings retrained as ensembles")
    parser.add_argument("--members", type=int, default=5, help="networks per ensemble")
    opts = parser.parse_args()
    with open(opts.config) as f:
        space = json.loads(strip_comments(f.read()))["search"]["space"]
    rng = random.Random(opts.seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="recur-oracle-") as folder:
        for trial in range(opts.trials):
            params = {key: sample(spec, rng) for key, spec in space.items()}
            scores = train(opts.recur, opts.config, params, folder)
            if scores is None:
                continue
            row = {"trial": trial, "params": params, "val_rmse": scores[0], "test_rmse": scores[1]}
            results.append(row)
            print(json.dumps(row), flush=True)
        best = sorted(results, key=lambda r: r["test_rmse"])[: opts.top]
        for row in best:
            scores = train(opts.recur, opts.config, row["params"], folder, [("training.ensemble", opts.members)])
            if scores is not None:
                print(json.dumps({"ensemble_of": opts.members, "params": row["params"], "single_test_rmse": row["test_rmse"],
                                  "val_rmse": scores[0], "test_rmse": scores[1]}), flush=True)
    if results:
        by_val = min(results, key=lambda r: r["val_rmse"])
        print(f"{len(results)} settings: lowest test RMSE {best[0]['test_rmse']:.4f} (oracle); "
              f"the lowest validation RMSE's test RMSE {by_val['test_rmse']:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
