#!/usr/bin/env python3
"""W5's peer: the old platform's tuning, hyperopt's TPE driving Keras, on the samples Recur prepared.

    bench_peer_tune.py --data DIR [--trials 10] [--epochs 3] [--seed 0]

DIR holds `RecurBench W5 --export DIR`'s arrays: the train and validation samples of the template
config (seed-config-template.json with numeric_var=temp, 3 epochs) on the fixed A620 slice,
exactly as `recur tune` prepares them. Like the old platform, hyperopt's `fmin` with `tpe.suggest`
runs the template's `hyperopt_pars` space (a multiplier choice for each layer group, a uniform
dropout rate in `dropout_rate_range` for each, a choice of the number of middle layers) for
`--trials` trials; each trial builds the template network (first LSTM mult x n_past_steps units,
each middle layer mult x the previous, the last mult x the previous, Dropout after each, all but
the last returning sequences, Dense(1)), compiles it with Adam and MAE, and trains it for
`--epochs` epochs of batch 32 (shuffled), scoring the best validation loss. Prints one JSON line:
the search's wall time (`search_seconds`), the time from the script's start (imports, data and
search: `process_seconds`), the best loss, peak RSS. Needs numpy, keras, tensorflow and hyperopt.
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

TEMPLATE_PARS = {"mid_layers": [2], "mults": [2], "dropout_rate_range": [0.1, 0.3]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--template", help="seed-config-template.json (its hyperopt_pars; default: the template's values)")
    a = ap.parse_args()

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import keras
    import tensorflow as tf
    from hyperopt import STATUS_OK, Trials, fmin, hp, tpe
    import hyperopt

    pars = dict(TEMPLATE_PARS)
    if a.template:
        import re
        text = open(a.template).read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        pars = json.loads(text)["hyperopt_pars"]

    meta = json.load(open(os.path.join(a.data, "W5.json")))
    x = np.load(os.path.join(a.data, "W5_train_x.npy"))
    y = np.load(os.path.join(a.data, "W5_train_y.npy"))
    vx = np.load(os.path.join(a.data, "W5_val_x.npy"))
    vy = np.load(os.path.join(a.data, "W5_val_y.npy"))
    steps, features, batch = x.shape[1], x.shape[2], meta.get("batch", 32)

    low, high = pars["dropout_rate_range"]
    space = {
        "first_mult": hp.choice("first_mult", pars["mults"]),
        "first_dropout": hp.uniform("first_dropout", low, high),
        "mid": hp.choice("mid", [
            {"n_layers": n, "mult": hp.choice(f"mid_mult_{n}", pars["mults"]),
             "dropout": hp.uniform(f"mid_dropout_{n}", low, high)} for n in pars["mid_layers"]]),
        "last_mult": hp.choice("last_mult", pars["mults"]),
        "last_dropout": hp.uniform("last_dropout", low, high),
    }

    def build(p):
        # The template's rule: the first layer has mult x n_past_steps units, each further one
        # mult x the previous layer's.
        layers = [keras.Input(shape=(steps, features))]
        units = p["first_mult"] * steps
        widths = [(units, p["first_dropout"])]
        for _ in range(p["mid"]["n_layers"]):
            units *= p["mid"]["mult"]
            widths.append((units, p["mid"]["dropout"]))
        units *= p["last_mult"]
        widths.append((units, p["last_dropout"]))
        for i, (u, rate) in enumerate(widths):
            layers.append(keras.layers.LSTM(u, return_sequences=i < len(widths) - 1))
            layers.append(keras.layers.Dropout(rate))
        layers.append(keras.layers.Dense(1))
        model = keras.Sequential(layers)
        model.compile(optimizer=keras.optimizers.Adam(), loss="mean_absolute_error")
        return model, [w for w, _ in widths]

    trial_log = []

    def objective(p):
        t0 = time.perf_counter()
        keras.backend.clear_session()
        model, widths = build(p)
        hist = model.fit(x, y, batch_size=batch, epochs=a.epochs, shuffle=True, verbose=0, validation_data=(vx, vy))
        loss = float(min(hist.history["val_loss"]))
        trial_log.append({"widths": widths, "val_loss": loss, "seconds": time.perf_counter() - t0})
        print(f"trial {len(trial_log)}: widths {widths} val_loss {loss:.5f} ({trial_log[-1]['seconds']:.1f} s)", file=sys.stderr)
        return {"loss": loss, "status": STATUS_OK}

    keras.utils.set_random_seed(a.seed)
    t0 = time.perf_counter()
    trials = Trials()
    best = fmin(objective, space, algo=tpe.suggest, max_evals=a.trials, trials=trials,
                rstate=np.random.default_rng(a.seed), show_progressbar=False)
    search = time.perf_counter() - t0
    out = {
        "framework": "hyperopt+keras", "workload": "W5", "trials": a.trials, "epochs": a.epochs,
        "train_samples": int(len(x)), "validation_samples": int(len(vx)), "batch": batch,
        "search_seconds": search, "process_seconds": time.perf_counter() - T_START,
        "best_val_loss": min(t["val_loss"] for t in trial_log), "best_params": {k: float(v) for k, v in best.items()},
        "trial_seconds": [t["seconds"] for t in trial_log],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count(),
        "version": f"hyperopt {hyperopt.__version__}, Keras {keras.__version__} / TF {tf.__version__}",
    }
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
