#!/usr/bin/env python3
"""The peers of Recur's benchmark: the same workloads in PyTorch and Keras, on the samples
RecurBench prepared (`RecurBench --export DIR` writes DIR/W*_train_x.npy etc.).

    bench_peers.py run torch|keras W1|W2|W3 --data DIR [--batches N] [--epochs N]
        trains one workload in one framework in this process and prints a JSON line
        (samples/s, seconds, peak RSS, threads, and W1's test RMSE);
    bench_peers.py latency --calls N
        the serving latency of RecurBench's `latency` networks (the W2 template net, 24 steps
        recursive; the Melbourne calendar net, 1 step) in eager PyTorch and torch.jit, one sample,
        batch 1, in this process: median and p99 microseconds per forecast (JSON line);
    bench_peers.py keras-save W2 PATH / keras-predict PATH --input CSV --steps 24
        W4's old-platform way: save the W2 template net as a Keras model; then, in a fresh
        process, load it, read the whole CSV, and predict 24 steps recursively (the harness
        times the whole keras-predict process);
    bench_peers.py report DIR
        prints the table from DIR/recur_W*.json and DIR/{torch,keras}_W*.json (stdlib only);
        W5's peer (hyperopt + Keras) is scripts/bench_peer_tune.py, written to DIR/keras_W5.json.

`run` needs numpy, torch, tensorflow-cpu and keras: scripts/bench.sh creates a virtualenv
outside the repo for them ($RECUR_BENCH_VENV, default ~/.cache/recur/venv-bench).

Shapes are exactly the workloads' (DESIGN.md section 4). What is timed: W1 the whole training
(25 epochs of batch 1; Keras: `--epochs`, default 2, extrapolated to 25, because it takes about
two minutes otherwise); W2 and W3 `--batches` batches of shuffled training samples after a
warm-up (W2 default 200 of the epoch's ~1,800 batches, W3 default 16), so samples/s is the
same measure as Recur's one-epoch figure. Each framework uses its default thread count.
"""
import argparse
import json
import os
import resource
import sys
import time


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(data, name):
    import numpy as np
    meta = json.load(open(os.path.join(data, f"{name}.json")))
    x = np.load(os.path.join(data, f"{name}_train_x.npy"))
    y = np.load(os.path.join(data, f"{name}_train_y.npy"))
    test = None
    if os.path.exists(os.path.join(data, f"{name}_test_x.npy")):
        test = (np.load(os.path.join(data, f"{name}_test_x.npy")), np.load(os.path.join(data, f"{name}_test_y.npy")))
    return meta, x, y, test


# Layer stacks: (units, return_sequences, dropout after)
ARCH = {
    "W1": [(4, False, 0.0)],
    "W2": [(24, True, 0.2), (48, True, 0.2), (96, True, 0.2), (192, False, 0.2)],
    "W3": [(256, True, 0.0), (256, False, 0.0)],
}


def rmse_degrees(pred, truth, meta):
    import numpy as np
    scale, offset = meta["target_scale"], meta["target_offset"]
    p = np.asarray(pred).reshape(-1) * scale + offset
    t = np.asarray(truth).reshape(-1) * scale + offset
    return float(np.sqrt(np.mean((p - t) ** 2)))


def run_torch(name, meta, x, y, test, batches, epochs):
    import numpy as np
    import torch
    from torch import nn
    torch.manual_seed(42)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstms = nn.ModuleList()
            self.drops = []
            inp = x.shape[2]
            for units, _, rate in ARCH[name]:
                self.lstms.append(nn.LSTM(inp, units, batch_first=True))
                self.drops.append(nn.Dropout(rate) if rate > 0 else nn.Identity())
                inp = units
            self.drops = nn.ModuleList(self.drops)
            self.dense = nn.Linear(inp, 1)

        def forward(self, v):
            for lstm, drop in zip(self.lstms, self.drops):
                v, _ = lstm(v)
                v = drop(v)
            return self.dense(v[:, -1, :])

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.L1Loss() if meta["loss"] == "mae" else nn.MSELoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    b = meta["batch"]
    rng = np.random.default_rng(42)

    def step(idx):
        opt.zero_grad()
        loss = loss_fn(model(xt[idx]), yt[idx])
        loss.backward()
        opt.step()

    n = len(x)
    model.train()
    step(rng.permutation(n)[:b])  # warm-up
    trained = 0
    t0 = time.perf_counter()
    if name == "W1":
        for _ in range(epochs):
            order = torch.from_numpy(rng.permutation(n))
            for i in range(0, n, b):
                step(order[i:i + b])
                trained += len(order[i:i + b])
    else:
        order = torch.from_numpy(rng.permutation(n))
        for i in range(batches):
            step(order[i * b:(i + 1) * b])
            trained += b
    seconds = time.perf_counter() - t0
    out = {"samples": trained, "seconds": seconds, "threads": torch.get_num_threads(),
           "version": f"PyTorch {torch.__version__}"}
    if test is not None:
        model.eval()
        with torch.no_grad():
            pred = model(torch.from_numpy(test[0])).numpy()
        out["test_rmse"] = rmse_degrees(pred, test[1], meta)
    return out


def run_keras(name, meta, x, y, test, batches, epochs):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(42)
    layers = [keras.Input(shape=x.shape[1:])]
    for units, seq, rate in ARCH[name]:
        layers.append(keras.layers.LSTM(units, return_sequences=seq))
        if rate > 0:
            layers.append(keras.layers.Dropout(rate))
    layers.append(keras.layers.Dense(1))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="mean_absolute_error" if meta["loss"] == "mae" else "mean_squared_error")
    b = meta["batch"]
    rng = np.random.default_rng(42)
    n = len(x)
    warm = rng.permutation(n)[:2 * b]
    model.fit(x[warm], y[warm], batch_size=b, epochs=1, verbose=0)  # warm-up: graph traced
    if name == "W1":
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=b, epochs=epochs, shuffle=True, verbose=0)
        seconds = time.perf_counter() - t0
        trained = n * epochs
    else:
        idx = rng.permutation(n)[:batches * b]
        t0 = time.perf_counter()
        model.fit(x[idx], y[idx], batch_size=b, epochs=1, shuffle=True, verbose=0)
        seconds = time.perf_counter() - t0
        trained = len(idx)
    out = {"samples": trained, "seconds": seconds,
           "threads": tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count(),
           "version": f"Keras {keras.__version__} / TF {tf.__version__}"}
    if test is not None and epochs == meta["epochs"]:
        out["test_rmse"] = rmse_degrees(model.predict(test[0], verbose=0), test[1], meta)
    return out


def cmd_run(args):
    meta, x, y, test = load(args.data, args.workload)
    defaults = {"W1": (None, meta["epochs"] if args.framework == "torch" else 2), "W2": (200, 1), "W3": (16, 1)}
    batches = args.batches or defaults[args.workload][0]
    epochs = args.epochs or defaults[args.workload][1]
    fn = run_torch if args.framework == "torch" else run_keras
    out = fn(args.workload, meta, x, y, test, batches, epochs)
    out.update({"framework": args.framework, "workload": args.workload, "epochs_timed": epochs,
                "batches_timed": batches, "samples_per_second": out["samples"] / out["seconds"],
                "peak_rss_mb": peak_rss_mb()})
    if args.workload == "W1":
        # Seconds for the full 25 epochs (extrapolated when fewer were timed).
        out["seconds_25_epochs"] = out["seconds"] * meta["epochs"] / epochs
        out["extrapolated"] = epochs != meta["epochs"]
    print(json.dumps(out))


# The latency networks, as RecurBench's LatencyNetwork.all: (name, steps, features, horizon, layers).
LATENCY_NETS = [("W2", 12, 1, 24, [24, 48, 96, 192]), ("Melbourne", 14, 3, 1, [32])]


def cmd_latency(args):
    import numpy as np
    import torch
    from torch import nn
    torch.manual_seed(42)

    class Net(nn.Module):
        """LSTMs then Linear on the last step (Dropout is the identity at inference)."""

        def __init__(self, features, layers):
            super().__init__()
            self.lstms = nn.ModuleList()
            inp = features
            for units in layers:
                self.lstms.append(nn.LSTM(inp, units, batch_first=True))
                inp = units
            self.dense = nn.Linear(inp, 1)

        def forward(self, v):
            for lstm in self.lstms:
                v, _ = lstm(v)
            return self.dense(v[:, -1, :])

    class Recursive(nn.Module):
        """The recursive forecast: predict, move the window on, the prediction in feature 0."""

        def __init__(self, net, horizon: int):
            super().__init__()
            self.net = net
            self.horizon = horizon

        def forward(self, window):
            out = torch.empty(self.horizon)
            w = window
            for k in range(self.horizon):
                y = self.net(w)[0, 0]
                out[k] = y
                last = w[:, -1:, :].clone()
                last[0, 0, 0] = y
                w = torch.cat([w[:, 1:, :], last], dim=1)
            return out

    def timed(fn, window, calls):
        for _ in range(min(50, calls)):
            fn(window)
        times = []
        for _ in range(calls):
            t0 = time.perf_counter_ns()
            fn(window)
            times.append((time.perf_counter_ns() - t0) / 1e3)
        times.sort()
        q = lambda p: times[min(len(times) - 1, max(0, int(np.ceil(p * len(times))) - 1))]
        return {"calls": calls, "median_us": q(0.5), "p99_us": q(0.99), "mean_us": sum(times) / len(times), "min_us": times[0]}

    results = []
    with torch.inference_mode():
        for name, steps, features, horizon, layers in LATENCY_NETS:
            t = np.arange(steps)[:, None] / 24 * 2 * np.pi + np.arange(features)[None, :]
            window = torch.from_numpy((0.5 + 0.3 * np.sin(t)).astype(np.float32))[None]
            model = Recursive(Net(features, layers).eval(), horizon).eval()
            eager = timed(model, window, args.calls)
            try:
                scripted = torch.jit.freeze(torch.jit.script(model))
                jit = timed(scripted, window, args.calls)
            except Exception as e:  # noqa: BLE001 - reported, not hidden
                jit = {"error": str(e)[:200]}
            results.append({"network": name, "steps": steps, "features": features, "horizon": horizon,
                            "eager": eager, "jit": jit})
    print(json.dumps({"framework": "torch", "version": f"PyTorch {torch.__version__}", "threads": torch.get_num_threads(),
                      "networks": results}))


def a620_series(path):
    """The A620 CSV's temp column, whole file, sentinel 0.0 dropped (the old platform's read)."""
    import csv
    values = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            v = float(row["temp"])
            if v != 0.0:
                values.append(v)
    return values


def cmd_keras_save(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    keras.utils.set_random_seed(42)
    layers = [keras.Input((12, 1))]
    for i, (units, seq, rate) in enumerate(ARCH[args.workload]):
        layers += [keras.layers.LSTM(units, return_sequences=seq), keras.layers.Dropout(rate)]
    model = keras.Sequential(layers + [keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mae")
    model.save(args.path)


def cmd_keras_predict(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np
    import keras
    model = keras.models.load_model(args.path)
    series = np.asarray(a620_series(args.input), dtype=np.float32)
    lo, hi = float(series.min()), float(series.max())
    window = ((series[-12:] - lo) / (hi - lo)).reshape(1, 12, 1)
    out = []
    for _ in range(args.steps):
        y = float(model(window, training=False)[0, 0])
        out.append(y * (hi - lo) + lo)
        window = np.concatenate([window[:, 1:, :], np.full((1, 1, 1), y, np.float32)], axis=1)
    print(json.dumps({"forecast": out}))


def cmd_report(args):
    d = args.dir

    def get(prefix, w):
        p = os.path.join(d, f"{prefix}_{w}.json")
        if not os.path.exists(p):
            return None
        try:
            return json.load(open(p))
        except json.JSONDecodeError:
            return None

    env = get("recur", "env") or {}
    print(f"Machine: {env.get('machine', '?')}; BLAS {env.get('blas_library', '?')}, kernels {env.get('kernels', '?')}; "
          f"Recur engine kernels {env.get('engine_kernels', '?')}; "
          f"sgemm 1024^3 {env.get('sgemm_1024_gflops_1thread', 0):.1f} GFLOP/s on 1 thread "
          f"(2 cores: {2 * env.get('sgemm_1024_gflops_1thread', 0):.0f}); packed recurrent product "
          f"{env.get('packed_gemm_gflops_1thread', 0):.1f} GFLOP/s on 1 thread (OpenBLAS on the same 32x256x1024 product: "
          f"{env.get('step_sgemm_gflops_1thread', 0):.1f}); Recur engine threads {env.get('engine_threads', '?')}, "
          f"BLAS threads {env.get('blas_threads', '?')}")
    for fw in ("torch", "keras"):
        for w in ("W1", "W2", "W3"):
            r = get(fw, w)
            if r:
                print(f"{fw}: {r['version']}, {r['threads']} threads")
                break
    print()
    print("| workload | measure | Recur | PyTorch | Keras | Recur / PyTorch | Recur / Keras | target | met? |")
    print("|---|---|---|---|---|---|---|---|---|")
    # Issue 15's targets, ratios that travel between machines: to the peers of the same run and
    # to the same machine's 2-core sgemm peak (BENCHMARKS.md counts the FLOPs).
    speedup_target = {"W1": 150, "W2": 2.5, "W3": 1.5, "W5": 12}
    peak_share_target = 0.75
    rmse_tolerance = 0.02
    w4_ms_target = 50  # DESIGN.md
    peak_text = f">= {100 * peak_share_target:.0f}% of 2-core sgemm peak"
    targets = {"W1": f">= {speedup_target['W1']}x PyTorch; RMSE within {rmse_tolerance}",
               "W2": f">= {speedup_target['W2']}x PyTorch; {peak_text}", "W3": f">= {speedup_target['W3']}x PyTorch; {peak_text}"}
    met = lambda ok: "yes" if ok else "**no**"
    for w in ("W1", "W2", "W3"):
        r = get("recur", w)
        t, k = get("torch", w), get("keras", w)
        if r is None:
            print(f"| {w} | (Recur failed) | | | | | | | |")
            continue
        if w == "W1":
            def sec(x):
                if x is None:
                    return "n/a"
                return f"{x['seconds_25_epochs']:.2f} s" + (" (extrap.)" if x.get("extrapolated") else "")
            ratio = lambda x: f"{x['seconds_25_epochs'] / r['seconds']:.0f}x" if x else "n/a"
            fast = met(t["seconds_25_epochs"] / r["seconds"] >= speedup_target[w]) if t else "n/a"
            print(f"| W1 | training seconds, 25 epochs | {r['seconds']:.3f} s | {sec(t)} | {sec(k)} | {ratio(t)} | {ratio(k)} | {targets[w]} | {fast} |")
            rm = lambda x: f"{x['test_rmse']:.3f}" if x and "test_rmse" in x else "n/a"
            close = met(abs(r["test_rmse"] - t["test_rmse"]) <= rmse_tolerance) if t and "test_rmse" in t and "test_rmse" in r else "n/a"
            print(f"| W1 | test RMSE (degrees) | {rm(r)} | {rm(t)} | {rm(k)} | | | within {rmse_tolerance} of PyTorch | {close} |")
        else:
            def sps(x):
                if not x:
                    return "n/a"
                runs = x.get("runs") or []
                all_runs = f" (best of {len(runs)}: {', '.join(f'{v:,.0f}' for v in runs)})" if len(runs) > 1 else ""
                return f"{x['samples_per_second']:,.0f}{all_runs}"
            ratio = lambda x: f"{r['samples_per_second'] / x['samples_per_second']:.2f}x" if x else "n/a"
            fast = met(r["samples_per_second"] / t["samples_per_second"] >= speedup_target[w]) if t else "n/a"
            print(f"| {w} | training samples/s | {sps(r)} | {sps(t)} | {sps(k)} | {ratio(t)} | {ratio(k)} | {targets[w]} | {fast} |")
        mem = lambda x: f"{x['peak_rss_mb']:.0f} MB" if x else "n/a"
        lower = met(r["peak_rss_mb"] < t["peak_rss_mb"]) if t and w != "W1" else ""
        print(f"| {w} | peak RSS | {mem(r)} | {mem(t)} | {mem(k)} | | | W2, W3: below PyTorch | {lower} |")
        if w in ("W2", "W3"):
            peak = 2 * env.get("sgemm_1024_gflops_1thread", 0)
            share = r["achieved_gflops"] / peak if peak else 0
            print(f"| {w} | achieved GFLOP/s | {r['achieved_gflops']:.1f} ({100 * share:.0f}% of 2-core peak {peak:.0f}) | | | | | "
                  f"{peak_text} | {met(share >= peak_share_target) if peak else 'n/a'} |")
    w4 = get("recur", "W4")
    if w4:
        median = f"median {w4['median_ms']:.1f} ms, " if "median_ms" in w4 else ""
        print(f"| W4 | `recur predict --steps 24` wall time | {median}mean {w4['mean_ms']:.1f} ms, min {w4['min_ms']:.1f} ms "
              f"({w4['runs']} runs, {w4['tool']}) | | | | | < {w4_ms_target} ms (DESIGN.md) | {met(w4.get('median_ms', w4['mean_ms']) < w4_ms_target)} |")
    else:
        print(f"| W4 | `recur predict --steps 24` wall time | not measured (see the harness log) | | | | | < {w4_ms_target} ms (DESIGN.md) | |")
    ph, st = get("recur", "W4phases"), get("recur", "W4_startup")
    if ph:
        print(f"| W4 | in-process phases (best of 7) | package load {ph['package_load_ms']:.1f} ms (the architecture built "
              f"without random init; with it, as training builds it: {ph['architecture_build_ms']:.1f} ms); input read + cleaned whole {ph['full_read_clean_ms']:.1f} ms; "
              f"forecast from the whole file {ph['forecast_full_read_ms']:.1f} ms, from its tail {ph['forecast_tail_read_ms']:.1f} ms "
              f"(same forecast: {ph['tail_equals_full']}); model, 24 steps {ph['model_24_steps_ms']:.2f} ms | | | | | | |")
    if st:
        print(f"| W4 | process start-up (`recur --version`) | {st['median_ms']:.1f} ms (min {st['min_ms']:.1f}) | | | | | | |")
    k4 = get("keras", "W4")
    if w4 and st and "median_ms" in w4:
        keras = f"{k4['median_ms']:.0f} ms median ({k4['runs']} runs): {k4['median_ms'] / w4['median_ms']:.0f}x Recur's" if k4 else ""
        print(f"| W4 | `recur predict` / `recur --version`, medians of the same run | {w4['median_ms'] / st['median_ms']:.2f}x start-up "
              f"({w4['median_ms']:.1f} / {st['median_ms']:.1f} ms) | | {keras} | | | reported as a ratio (issue 15) | |")
    r5, k5 = get("recur", "W5"), get("keras", "W5")
    if r5 or k5:
        rs = f"{r5['seconds']:.1f} s" if r5 else "failed (see the harness log)"
        ks = f"{k5['seconds']:.1f} s (search {k5['search_seconds']:.1f} s)" if k5 else "n/a"
        ratio = f"{k5['seconds'] / r5['seconds']:.1f}x" if r5 and k5 else "n/a"
        fast = met(k5["seconds"] / r5["seconds"] >= speedup_target["W5"]) if r5 and k5 else "n/a"
        print(f"| W5 | tuning wall time: 10 trials x 3 epochs, whole command | {rs} | | {ks} | | {ratio} | >= {speedup_target['W5']}x hyperopt + Keras | {fast} |")
        bl = lambda x: f"{x['best_val_loss']:.4f}" if x and x.get("best_val_loss") is not None else "n/a"
        print(f"| W5 | best validation loss (MAE, scaled) | {bl(r5)} | | {bl(k5)} | | | | |")
        mem = lambda x: f"{x['peak_rss_mb']:.0f} MB" if x else "n/a"
        print(f"| W5 | peak RSS | {mem(r5)} | | {mem(k5)} | | | | |")
    else:
        print(f"| W5 | tuning wall time: 10 trials x 3 epochs | not measured (see the harness log) | | | | | >= {speedup_target['W5']}x | |")
    lat, tl = get("recur", "latency"), get("torch", "latency")
    if lat:
        peers = {n["network"]: n for n in (tl or {}).get("networks", [])}
        print()
        print("Serving latency, one sample in-process (microseconds per forecast; Recur: a reused InferenceContext; "
              f"PyTorch: {tl['version'] if tl else 'n/a'}, {tl['threads'] if tl else '?'} threads, inference_mode):")
        print()
        print("| network | forecast | Recur median / p99 | Recur via Sequential.predict median | PyTorch eager median / p99 | torch.jit median / p99 | eager / Recur | jit / Recur |")
        print("|---|---|---|---|---|---|---|---|")
        for r in lat.get("workloads", []):
            if r.get("workload") is not None:
                continue
            t = peers.get(r["network"], {})
            e, j = t.get("eager") or {}, t.get("jit") or {}
            mp = lambda x: f"{x['median_us']:,.0f} / {x['p99_us']:,.0f} ({x['calls']:,} calls)" if "median_us" in x else (x.get("error", "n/a")[:60] if x else "n/a")
            ratio = lambda x: f"{x['median_us'] / r['median_us']:.1f}x" if "median_us" in x else "n/a"
            print(f"| {r['network']} | {r['horizon']} step{'s' if r['horizon'] > 1 else ''}, {r['steps']} x {r['features']} window | "
                  f"{r['median_us']:,.1f} / {r['p99_us']:,.1f} ({r['calls']:,} calls; workspace growths after the first: {r['workspace_growths_during_calls']}) | "
                  f"{r['sequential_median_us']:,.1f} (same forecast: {r['identical_to_sequential']}) | {mp(e)} | {mp(j)} | {ratio(e)} | {ratio(j)} |")
    prof = get("recur", "profile")
    if prof:
        for r in prof.get("workloads", []):
            p = r.get("profile")
            if not p:
                continue
            print()
            print(f"{r['workload']}, one training step phase by phase (a profiled epoch of {p['steps']} steps, "
                  f"{p['samples_per_second']:,.0f} samples/s with the probes; the timed run beside it {r['samples_per_second']:,.0f}):")
            print()
            print("| phase | ms per step | share of step |")
            print("|---|---|---|")
            for ph in p["phases"]:
                if ph["ms_per_step"] > 0 or not ph["nested"]:
                    print(f"| {ph['label']} | {ph['ms_per_step']:.3f} | {100 * ph['share_of_step']:.1f}% |")
            print(f"| other (batches, transposes, scans, zeroing) | {p['other_ms_per_step']:.3f} | {100 * p['other_ms_per_step'] / p['ms_per_step']:.1f}% |")
            print(f"| step (wall) | {p['ms_per_step']:.3f} | 100% |")
            print(f"| second core: busy / idle | {p['helper_busy_ms_per_step']:.3f} / {p['ms_per_step'] - p['helper_busy_ms_per_step']:.3f} | idle {100 * p['second_core_idle_share']:.1f}% |")
            print(f"| calling thread's CPU time / wall time | | {100 * p.get('calling_thread_cpu_share', 0):.0f}% (below 100%: the machine was loaded) |")
    print()
    print("Timed: Recur W1 all 25 epochs, W2 one full epoch, W3 32 batches; PyTorch W1 all 25 epochs; "
          "Keras W1 2 epochs extrapolated to 25 (no RMSE); peers W2 200 batches, W3 16 batches; W2 and W3: the best of several runs (each a process) for every framework (same shapes, "
          "shuffled samples of the same prepared arrays). W4: the whole `recur predict` process on the full "
          "A620 CSV. W5: the whole `recur tune` process (1 job) and the whole hyperopt + Keras process "
          "(imports, data, search), the template's hyperopt_pars, A620 2016-06-01..2016-08-31.")
    if k5:
        print(f"W5 peer: {k5['version']}; {k5['train_samples']} train / {k5['validation_samples']} validation samples; "
              f"trial seconds {', '.join(f'{t:.1f}' for t in k5['trial_seconds'])}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("framework", choices=["torch", "keras"])
    r.add_argument("workload", choices=["W1", "W2", "W3"])
    r.add_argument("--data", required=True)
    r.add_argument("--batches", type=int)
    r.add_argument("--epochs", type=int)
    r.set_defaults(fn=cmd_run)
    la = sub.add_parser("latency")
    la.add_argument("--calls", type=int, default=500)
    la.set_defaults(fn=cmd_latency)
    ks = sub.add_parser("keras-save")
    ks.add_argument("workload", choices=["W2"])
    ks.add_argument("path")
    ks.set_defaults(fn=cmd_keras_save)
    kp = sub.add_parser("keras-predict")
    kp.add_argument("path")
    kp.add_argument("--input", required=True)
    kp.add_argument("--steps", type=int, default=24)
    kp.set_defaults(fn=cmd_keras_predict)
    s = sub.add_parser("report")
    s.add_argument("dir")
    s.set_defaults(fn=cmd_report)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
