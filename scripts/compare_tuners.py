#!/usr/bin/env python3
"""Compare Recur's TPE with hyperopt's TPE and Optuna's TPE: same space, budget, data, objective.

The objective is the same for all three: the best validation loss of a `recur train CONFIG
--set <param>=<value>... --json` run (`best_validation_loss` of its JSON). hyperopt and Optuna
propose, recur trains; Recur's own TPE runs as `recur tune --json` (its trials train exactly as
`recur train` does, with the same training seed). Each tuner gets N trials; the best validation
loss after N trials is reported per seed and as the median over the seeds, as a Markdown table.

Problems:
  template   the old template's own `hyperopt_pars` space (layer multipliers, dropout rates,
             middle layers) on a slice of station A620 (../shared/datasets)
  melbourne  Melbourne daily minimum temperatures: lag (`window.n_past_steps`, a choice), LSTM
             units, dropout, learning rate (log-uniform)

Each tuner runs with its own defaults (start-up trials: Recur 10, hyperopt 20, Optuna 10); with a
budget at or below those, all three are random search.

Python tools: optuna and hyperopt are installed into the virtual environment OUTSIDE the repo
that scripts/install-python-tools.sh makes (${RECUR_VENV:-$HOME/.cache/recur/venv}); the script
re-runs itself with that environment's python when they are not importable.

    scripts/compare_tuners.py --trials 20 --seeds 0,1,2,3,4          # full run (slow)
    scripts/compare_tuners.py --trials 3 --seeds 0,1 --epochs 1      # a quick check
    scripts/compare_tuners.py --recur .build/release/recur --problems melbourne
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_tools():
    """Re-exec with the venv's python when optuna/hyperopt are missing (installing them)."""
    try:
        import hyperopt  # noqa: F401
        import optuna  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("RECUR_COMPARE_REEXEC"):
        sys.exit("optuna and hyperopt are not importable even in the venv; see the pip output above")
    venv = os.environ.get("RECUR_VENV", os.path.expanduser("~/.cache/recur/venv"))
    py = subprocess.run(["bash", os.path.join(REPO, "scripts/install-python-tools.sh")], check=True,
                        stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
    probe = subprocess.run([py, "-c", "import optuna, hyperopt"], stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        print(f"installing optuna and hyperopt into {venv}", file=sys.stderr)
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "optuna", "hyperopt"],
                       check=True, stdout=sys.stderr)
    env = dict(os.environ, RECUR_COMPARE_REEXEC="1")
    os.execve(py, [py, os.path.abspath(__file__)] + sys.argv[1:], env)


def strip_comments(text):
    """JSON with // and /* */ comments (outside strings) -> plain JSON."""
    out, i, n, in_string = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


# A space: list of (name, kind, args, condition) with kind in choice/uniform/log_uniform/int;
# condition: None or (parent name, at_least).

def template_space(template_path):
    h = json.loads(strip_comments(open(template_path).read()))["hyperopt_pars"]
    mults, rates, mid = h["mults"], h["dropout_rate_range"], h["mid_layers"]
    cond = ("model.width_rule.middle.count", 1) if 0 in mid else None
    return [
        ("model.width_rule.first.mult", "choice", mults, None),
        ("model.width_rule.first.dropout", "uniform", rates, None),
        ("model.width_rule.middle.count", "choice", mid, None),
        ("model.width_rule.middle.mult", "choice", mults, cond),
        ("model.width_rule.middle.dropout", "uniform", rates, cond),
        ("model.width_rule.last.mult", "choice", mults, None),
        ("model.width_rule.last.dropout", "uniform", rates, None),
    ]


MELBOURNE_SPACE = [
    ("window.n_past_steps", "choice", [1, 2, 3, 5, 7, 14, 21, 30], None),
    ("model.layers[0].units", "choice", [2, 4, 8, 16, 32], None),
    ("model.layers[0].dropout", "uniform", [0.0, 0.5], None),
    ("training.optimizer.learning_rate", "log_uniform", [1e-4, 1e-1], None),
]


def native_search(space):
    out = {}
    for name, kind, args, cond in space:
        d = {kind: args}
        if cond:
            d["condition"] = {"parameter": cond[0], "at_least": cond[1]}
        out[name] = d
    return out


def melbourne_config(work, shared, epochs, trials):
    config = {
        "description": "compare_tuners: Melbourne lag/units/dropout/learning-rate space",
        "data": {"path": os.path.join(shared, "melbourne-daily-min-temperatures.csv"), "datetime_column": "Date",
                 "target": "Temp", "cleaning": {"gaps": "keep_rows"}},
        "window": {"n_past_steps": 3},
        "split": {"train": 0.6, "validation": 0.2, "test": 0.2},
        "model": {"layers": [{"type": "lstm", "units": 8, "dropout": 0.0}]},
        "training": {"epochs": epochs, "batch_size": 32, "seed": 42, "early_stopping": None, "checkpoint": False,
                     "optimizer": {"name": "adam", "learning_rate": 0.001}},
        "output": {"directory": os.path.join(work, "runs")},
        "search": {"max_evals": trials, "sampler": "tpe", "space": native_search(MELBOURNE_SPACE)},
    }
    path = os.path.join(work, "melbourne.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    return path, MELBOURNE_SPACE, []


def template_problem(work, shared, epochs, since, until):
    template = os.path.join(shared, "seed-config-template.json")
    a620 = os.path.join(shared, "a620-hourly-temperature.csv")
    sets = ["--set", "numeric_var=temp", "--set", f"input_csv={a620}", "--set", f"epochs={epochs}",
            "--set", f"output_models_path={os.path.join(work, 'models')}",
            "--set", f"output_results_path={os.path.join(work, 'results')}",
            "--since", since, "--until", until]
    return template, template_space(template), sets


def fmt_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v)


class Trainer:
    """The shared objective: best validation loss of `recur train` with the parameters set."""

    def __init__(self, recur, config, extra, work):
        self.recur, self.config, self.extra, self.work = recur, config, extra, work
        self.calls = 0

    def __call__(self, params):
        self.calls += 1
        out = os.path.join(self.work, f"pkg-{os.getpid()}-{self.calls}")
        args = [self.recur, "train", self.config, *self.extra, "--output", out, "--json"]
        for k, v in params.items():
            args += ["--set", f"{k}={fmt_value(v)}"]
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        shutil.rmtree(out, ignore_errors=True)
        if r.returncode != 0:
            print(f"  train failed ({r.returncode}): {r.stderr.strip()[-300:]}", file=sys.stderr)
            return float("inf")
        loss = json.loads(r.stdout).get("best_validation_loss")
        return float("inf") if loss is None else float(loss)


def run_hyperopt(space, trainer, n, seed):
    import numpy as np
    from hyperopt import STATUS_OK, Trials, fmin, hp, tpe

    def dist(name, kind, args):
        if kind == "choice":
            return hp.choice(name, args)
        if kind == "uniform":
            return hp.uniform(name, args[0], args[1])
        if kind == "log_uniform":
            return hp.loguniform(name, math.log(args[0]), math.log(args[1]))
        if kind == "int":
            return hp.uniformint(name, args[0], args[1])
        raise ValueError(kind)

    # Conditional parameters: a nested choice on the parent (hyperopt's way).
    top = {}
    children = {}
    for name, kind, args, cond in space:
        if cond:
            children.setdefault(cond[0], []).append((name, kind, args, cond[1]))
    for name, kind, args, cond in space:
        if cond:
            continue
        if name in children and kind == "choice":
            options = []
            for value in args:
                branch = {name: value}
                for cname, ckind, cargs, at_least in children[name]:
                    if isinstance(value, (int, float)) and value >= at_least:
                        branch[cname] = dist(f"{cname}|{value}", ckind, cargs)
                options.append(branch)
            top[name + "#branch"] = hp.choice(name, options)
        else:
            top[name] = dist(name, kind, args)

    def flatten(sample):
        params = {}
        for k, v in sample.items():
            if k.endswith("#branch"):
                params.update(v)
            else:
                params[k] = v
        return params

    best = [float("inf")]

    def objective(sample):
        loss = trainer(flatten(sample))
        best[0] = min(best[0], loss)
        return {"loss": loss if math.isfinite(loss) else 1e30, "status": STATUS_OK}

    fmin(objective, top, algo=tpe.suggest, max_evals=n, trials=Trials(), rstate=np.random.default_rng(seed),
         show_progressbar=False)
    return best[0]


def run_optuna(space, trainer, n, seed):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        params = {}
        for name, kind, args, cond in space:
            if cond and not (params.get(cond[0]) is not None and params[cond[0]] >= cond[1]):
                continue
            if kind == "choice":
                params[name] = trial.suggest_categorical(name, args)
            elif kind == "uniform":
                params[name] = trial.suggest_float(name, args[0], args[1])
            elif kind == "log_uniform":
                params[name] = trial.suggest_float(name, args[0], args[1], log=True)
            elif kind == "int":
                params[name] = trial.suggest_int(name, args[0], args[1])
        loss = trainer(params)
        return loss if math.isfinite(loss) else 1e30

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n)
    return study.best_value


def run_recur(recur, config, extra, work, n, seed, problem):
    storage = os.path.join(work, f"recur-{problem}-{seed}.study.sqlite")
    args = [recur, "tune", config, *extra, "--trials", str(n), "--storage", storage, "--json",
            "--set", f"search.seed={seed}", "--quiet"]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"recur tune failed ({r.returncode}): {r.stderr.strip()}")
    best = json.loads(r.stdout).get("best")
    return float("inf") if not best else float(best["value"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recur", default=os.path.join(REPO, ".build/release/recur"),
                    help="the recur binary (default .build/release/recur, else .build/debug/recur)")
    ap.add_argument("--trials", type=int, default=20, help="trials per tuner and seed (N)")
    ap.add_argument("--seeds", default="0,1,2,3,4", help="comma-separated sampler seeds")
    ap.add_argument("--problems", default="template,melbourne", help="comma-separated: template, melbourne")
    ap.add_argument("--tuners", default="recur,hyperopt,optuna", help="comma-separated: recur, hyperopt, optuna")
    ap.add_argument("--epochs", type=int, default=None, help="epochs per trial (default: template 3, melbourne 15)")
    ap.add_argument("--since", default="2016-06-01", help="A620 slice start (template problem)")
    ap.add_argument("--until", default="2016-08-31", help="A620 slice end (template problem)")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared/datasets"), help="the datasets folder")
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one, removed)")
    ap.add_argument("--json-out", default=None, help="also write the raw results as JSON here")
    a = ap.parse_args()
    ensure_tools()

    recur = a.recur
    if not os.path.exists(recur):
        fallback = os.path.join(REPO, ".build/debug/recur")
        if a.recur == ap.get_default("recur") and os.path.exists(fallback):
            recur = fallback
        else:
            sys.exit(f"no recur binary at {recur}; build it (swift build -c release) or pass --recur")
    recur = os.path.abspath(recur)
    seeds = [int(s) for s in a.seeds.split(",") if s.strip()]
    problems = [p.strip() for p in a.problems.split(",") if p.strip()]
    tuners = [t.strip() for t in a.tuners.split(",") if t.strip()]
    work = a.work or tempfile.mkdtemp(prefix="recur-compare-")
    os.makedirs(work, exist_ok=True)

    results = {}
    try:
        for problem in problems:
            if problem == "template":
                config, space, extra = template_problem(work, a.shared, a.epochs or 3, a.since, a.until)
            elif problem == "melbourne":
                config, space, extra = melbourne_config(work, a.shared, a.epochs or 15, a.trials)
            else:
                sys.exit(f"unknown problem {problem!r}: template or melbourne")
            trainer = Trainer(recur, config, extra, work)
            for tuner in tuners:
                for seed in seeds:
                    start = time.time()
                    if tuner == "recur":
                        best = run_recur(recur, config, extra, work, a.trials, seed, problem)
                    elif tuner == "hyperopt":
                        best = run_hyperopt(space, trainer, a.trials, seed)
                    elif tuner == "optuna":
                        best = run_optuna(space, trainer, a.trials, seed)
                    else:
                        sys.exit(f"unknown tuner {tuner!r}")
                    results.setdefault(problem, {}).setdefault(tuner, []).append(best)
                    print(f"{problem} {tuner} seed {seed}: best validation loss {best:.6g} ({time.time() - start:.0f} s)",
                          file=sys.stderr)
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)

    names = {"recur": "Recur TPE", "hyperopt": "hyperopt TPE", "optuna": "Optuna TPE"}
    print(f"Best validation loss (scaled MSE/MAE of the config's loss) after {a.trials} trials; "
          f"median over seeds {', '.join(map(str, seeds))} (min-max in brackets); lower is better.\n")
    print("| problem | " + " | ".join(names[t] for t in tuners) + " |")
    print("|---|" + "---|" * len(tuners))
    for problem in problems:
        cells = []
        for t in tuners:
            v = results[problem][t]
            cells.append(f"{statistics.median(v):.5g} [{min(v):.5g}-{max(v):.5g}]")
        print(f"| {problem} | " + " | ".join(cells) + " |")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"trials": a.trials, "seeds": seeds, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
