#!/usr/bin/env bash
# The benchmark harness: Recur and its peers (PyTorch, Keras) on the workloads of DESIGN.md
# section 4, on the real data sets, in one run. Prints a markdown table (BENCHMARKS.md keeps the
# latest) and leaves every raw JSON in $RECUR_BENCH_OUT (default: a temp folder).
#
#   bash scripts/bench.sh                 # everything, W1-W5 (about 8-12 minutes on 2 cores)
#   bash scripts/bench.sh --no-peers      # Recur only
#
# Environment:
#   RECUR_DATA         the folder of the CSV files (default ../shared/datasets)
#   RECUR_BENCH_VENV   virtualenv for the peers, outside the repo (default ~/.cache/recur/venv-bench;
#                      created with numpy, torch, tensorflow-cpu, keras when missing;
#                      /work/venv-ref already has them on the project machines)
#   RECUR_BENCH_BUILD  SwiftPM build path (default .build)
#   RECUR_THREADS      Recur's engine threads (default: the cores, at most 2)
#   RECUR_BENCH_REPEATS  rounds of W2 and W3 (Recur, PyTorch, Keras in turn), each one's best kept (default 3)
#   RECUR_BENCH_LATENCY_CALLS       Recur's timed one-sample forecasts per network (default 10000)
#   RECUR_BENCH_PEER_LATENCY_CALLS  PyTorch's (eager and torch.jit; default 500: W2 takes 10-20 ms a forecast there)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=${RECUR_DATA:-../shared/datasets}
VENV=${RECUR_BENCH_VENV:-$HOME/.cache/recur/venv-bench}
BUILD=${RECUR_BENCH_BUILD:-.build}
OUT=${RECUR_BENCH_OUT:-$(mktemp -d /tmp/recur-bench.XXXXXX)}
PEERS=1
[[ "${1:-}" == "--no-peers" ]] && PEERS=0
REPEATS=${RECUR_BENCH_REPEATS:-3}
mkdir -p "$OUT"
log() { echo "[bench] $*" >&2; }

# OpenBLAS first: without it Recur falls back to its reference loop (about 0.6 GFLOP/s), and
# every figure of the run would measure that loop rather than the product.
bash scripts/install-deps.sh >&2
log "building RecurBench and recur (release) into $BUILD"
swift build -c release --build-path "$BUILD" --product RecurBench >&2
BENCH="$BUILD/release/RecurBench"
HAVE_RECUR=0
if swift build -c release --build-path "$BUILD" --product recur >&2; then HAVE_RECUR=1; else log "recur did not build: W4 skipped"; fi

log "machine and BLAS"
"$BENCH" env --json > "$OUT/recur_env.json"

# Keeps the best of several runs of one workload (the highest samples/s; each run a process of
# its own), with every run's figure in "runs": the machine is a VM whose neighbours come and go,
# and the best run is the one least disturbed. Usage: best_of OUT RUN1.json RUN2.json ...
best_of() {
  python3 - "$@" <<'PY'
import json, sys
out, runs = sys.argv[1], []
for p in sys.argv[2:]:
    try:
        j = json.load(open(p))
    except (OSError, json.JSONDecodeError):
        continue
    runs.append(j.get("workloads", [j])[0] if "workloads" in j else j)
runs = [r for r in runs if r.get("samples_per_second")]
if runs:
    best = max(runs, key=lambda r: r["samples_per_second"])
    best["runs"] = [round(r["samples_per_second"], 1) for r in runs]
    json.dump(best, open(out, "w"))
PY
}

# The peers' virtualenv (outside the repo).
setup_peers() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating the peers' virtualenv at $VENV"
    python3 -m venv "$VENV"
    # Reuse an existing environment's packages (RECUR_BENCH_BASE_VENV, default /work/venv-ref
    # on the project machines) instead of downloading torch and tensorflow again.
    BASE=${RECUR_BENCH_BASE_VENV:-/work/venv-ref}
    if [[ -x "$BASE/bin/python" ]]; then
      "$BASE/bin/python" -c 'import site; print("\n".join(site.getsitepackages()))' \
        > "$("$VENV/bin/python" -c 'import site; print(site.getsitepackages()[0])')/recur-bench-base.pth"
    fi
  fi
  MISSING=$("$VENV/bin/python" -c '
import importlib.util as u
need = {"numpy": "numpy", "torch": "torch", "tensorflow": "tensorflow-cpu", "keras": "keras", "hyperopt": "hyperopt"}
print(" ".join(p for m, p in need.items() if u.find_spec(m) is None))')
  if [[ -n "$MISSING" ]]; then
    log "installing into $VENV: $MISSING"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check $MISSING >&2
  fi
}

# W1-W3: Recur and the peers in rounds (Recur, PyTorch, Keras; again), so that a busy spell on
# this shared VM falls on every framework alike; W2 and W3 keep each framework's best round.
if [[ $PEERS == 1 ]]; then setup_peers; fi
for w in W1 W2 W3; do
  n=1; [[ $w != W1 ]] && n=$REPEATS
  for i in $(seq "$n"); do
    log "$w round $i of $n: Recur (real data; arrays exported to $OUT/data for the peers)"
    # One process per run, so that its peak RSS is its own. RecurBench prints one JSON object;
    # the workload's part is extracted for the report.
    "$BENCH" "$w" --json --data "$DATA" --export "$OUT/data" > "$OUT/recur_${w}_full_r$i.json"
    if [[ $PEERS == 1 ]]; then
      for fw in torch keras; do
        log "$w round $i of $n: $fw"
        "$VENV/bin/python" scripts/bench_peers.py run "$fw" "$w" --data "$OUT/data" > "$OUT/${fw}_${w}_r$i.json" \
          2> "$OUT/${fw}_${w}_r$i.log" || log "$fw $w failed (see $OUT/${fw}_${w}_r$i.log)"
      done
    fi
  done
  best_of "$OUT/recur_${w}.json" "$OUT"/recur_"${w}"_full_r*.json
  if [[ $PEERS == 1 ]]; then
    for fw in torch keras; do
      if [[ $w == W1 ]]; then cp "$OUT/${fw}_W1_r1.json" "$OUT/${fw}_W1.json" 2>/dev/null || true
      else best_of "$OUT/${fw}_${w}.json" "$OUT"/"${fw}"_"${w}"_r*.json; fi
    done
  fi
done

# One W2 and one W3 training step phase by phase (a profiled epoch after a timed one).
log "profile: W2 and W3 training steps phase by phase"
"$BENCH" W2 W3 --profile --json --data "$DATA" > "$OUT/recur_profile.json" || log "profile failed"

# Serving latency: one-sample forecasts in-process, Recur's InferenceContext and PyTorch eager / torch.jit.
log "latency: one-sample forecasts in-process (Recur, then PyTorch eager and torch.jit)"
"$BENCH" latency --json --calls "${RECUR_BENCH_LATENCY_CALLS:-10000}" > "$OUT/recur_latency.json" || log "latency failed"
if [[ $PEERS == 1 ]]; then
  "$VENV/bin/python" scripts/bench_peers.py latency --calls "${RECUR_BENCH_PEER_LATENCY_CALLS:-500}" \
    > "$OUT/torch_latency.json" 2> "$OUT/torch_latency.log" || log "torch latency failed (see $OUT/torch_latency.log)"
fi

# W4: `recur predict` of 24 steps from a trained W2 package (wall time of the whole command).
if [[ $HAVE_RECUR == 1 ]] && "$BUILD/release/recur" predict --help >/dev/null 2>&1; then
  log "W4: training a W2 package (1 epoch) for recur predict"
  PKGDIR="$OUT/w4"
  rm -rf "$PKGDIR"; mkdir -p "$PKGDIR/run"
  A620="$(cd "$DATA" && pwd)/a620-hourly-temperature.csv"
  if "$BUILD/release/recur" train examples/a620-template-native.json \
        --set "data.path=$A620" --set training.epochs=1 --set "output.directory=$PKGDIR/run" >"$PKGDIR/train.log" 2>&1; then
    PKG=$(find "$PKGDIR/run" -name manifest.json -printf '%h\n' 2>/dev/null | head -1)
    CMD=("$BUILD/release/recur" predict "$PKG" --input "$A620" --steps 24)
    if [[ -n "$PKG" ]] && "${CMD[@]}" >"$PKGDIR/predict.out" 2>"$PKGDIR/predict.err"; then
      if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 2 --runs 20 --export-json "$PKGDIR/hyperfine.json" "${CMD[*]}" >&2
        python3 - "$PKGDIR/hyperfine.json" "$OUT/recur_W4.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
json.dump({"mean_ms": r["mean"] * 1e3, "median_ms": r["median"] * 1e3, "min_ms": r["min"] * 1e3, "runs": len(r["times"]),
           "tool": "hyperfine"}, open(sys.argv[2], "w"))
PY
      else
        python3 - "$OUT/recur_W4.json" "${CMD[@]}" <<'PY'
import json, subprocess, sys, time
times = []
for _ in range(22):
    t0 = time.perf_counter(); subprocess.run(sys.argv[2:], check=True, capture_output=True); times.append(time.perf_counter() - t0)
times = sorted(times[2:])
json.dump({"mean_ms": 1e3 * sum(times) / len(times), "median_ms": 1e3 * (times[9] + times[10]) / 2,
           "min_ms": 1e3 * times[0], "runs": len(times), "tool": "loop"}, open(sys.argv[1], "w"))
PY
      fi
      log "W4: phases of recur predict, in-process (package load, input read whole vs tail, model)"
      "$BENCH" W4-phases --json --package "$PKG" --input "$A620" > "$OUT/recur_W4_phases_full.json" 2>"$PKGDIR/phases.err" &&
        python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["workloads"][0], open(sys.argv[2], "w"))' \
          "$OUT/recur_W4_phases_full.json" "$OUT/recur_W4phases.json" || log "W4 phases failed (see $PKGDIR/phases.err)"
      python3 - "$OUT/recur_W4_startup.json" "$BUILD/release/recur" <<'PY'
import json, subprocess, sys, time
times = []
for _ in range(22):
    t0 = time.perf_counter(); subprocess.run([sys.argv[2], "--version"], check=True, capture_output=True); times.append(time.perf_counter() - t0)
times = sorted(times[2:])
json.dump({"min_ms": 1e3 * times[0], "median_ms": 1e3 * times[len(times) // 2]}, open(sys.argv[1], "w"))
PY
      # The old platform's way beside it: a Python process that loads a saved Keras model (the
      # same W2 network), reads the whole CSV and predicts 24 steps recursively.
      if [[ $PEERS == 1 ]]; then
        log "W4 peer: a Python process loading a saved Keras model and predicting 24 steps"
        if "$VENV/bin/python" scripts/bench_peers.py keras-save W2 "$PKGDIR/w2.keras" 2>"$PKGDIR/keras_save.log"; then
          python3 - "$OUT/keras_W4.json" "$VENV/bin/python" scripts/bench_peers.py keras-predict "$PKGDIR/w2.keras" \
              --input "$A620" --steps 24 <<'PY' || log "W4 peer failed"
import json, subprocess, sys, time
times = []
for _ in range(6):
    t0 = time.perf_counter(); subprocess.run(sys.argv[2:], check=True, capture_output=True); times.append(time.perf_counter() - t0)
times = sorted(times[1:])
json.dump({"median_ms": 1e3 * times[len(times) // 2], "min_ms": 1e3 * times[0], "runs": len(times)}, open(sys.argv[1], "w"))
PY
        else
          log "W4 peer: keras-save failed (see $PKGDIR/keras_save.log)"
        fi
      fi
    else
      log "W4: recur predict failed (see $PKGDIR/predict.err)"
    fi
  else
    log "W4: recur train failed (see $PKGDIR/train.log)"
  fi
else
  log "W4 skipped: recur predict is not available"
fi
# W5: the template's hyperopt_pars search, 10 trials of 3 epochs on a fixed A620 slice: the
# whole `recur tune` command (one job) against hyperopt + Keras (scripts/bench_peer_tune.py, on
# the same slice's samples as `recur tune` prepares them, exported by `RecurBench W5`).
TEMPLATE="$(cd "$DATA" && pwd)/seed-config-template.json"
W5_SINCE=2016-06-01 W5_UNTIL=2016-08-31 W5_TRIALS=10 W5_EPOCHS=3
if [[ $HAVE_RECUR == 1 ]] && "$BUILD/release/recur" tune --help >/dev/null 2>&1; then
  log "W5: exporting the tuning slice's samples for the peer"
  "$BENCH" W5 --json --data "$DATA" --export "$OUT/data" > "$OUT/recur_W5_export.json" || log "W5 export failed"
  log "W5: recur tune, $W5_TRIALS trials x $W5_EPOCHS epochs, 1 job"
  W5DIR="$OUT/w5"; rm -rf "$W5DIR"; mkdir -p "$W5DIR"
  A620="$(cd "$DATA" && pwd)/a620-hourly-temperature.csv"
  W5CMD=("$BUILD/release/recur" tune "$TEMPLATE" --set numeric_var=temp --set "input_csv=$A620" --set "epochs=$W5_EPOCHS"
         --set "output_models_path=$W5DIR/models" --set "output_results_path=$W5DIR/results"
         --since "$W5_SINCE" --until "$W5_UNTIL" --trials "$W5_TRIALS" --jobs 1
         --storage "$W5DIR/w5.study.sqlite" --json --quiet)
  python3 - "$OUT/recur_W5.json" "$W5DIR" "${W5CMD[@]}" <<'PY' || log "W5: recur tune failed (see $W5DIR/tune.err)"
import json, resource, subprocess, sys, time
out, work, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t0 = time.perf_counter()
r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - t0
open(f"{work}/tune.err", "w").write(r.stderr)
if r.returncode != 0:
    sys.exit(r.returncode)
s = json.loads(r.stdout)
best = s.get("best") or {}
json.dump({"seconds": seconds, "trials": s.get("trials"), "best_val_loss": best.get("value"),
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
           "command": " ".join(cmd)}, open(out, "w"))
PY
  # Not the W5 workload (which stays --jobs 1): the same study with --jobs 2 (two trials at
  # once, one engine thread each), timed the same way, and whether every trial's value is the
  # --jobs 1 study's (the template's 10 trials are all random start-up trials, so the same set).
  log "W5 (extra, not the workload): the same recur tune with --jobs 2"
  W5DIR2="$OUT/w5-jobs2"; rm -rf "$W5DIR2"; mkdir -p "$W5DIR2"
  W5CMD2=("${W5CMD[@]}")
  for i in "${!W5CMD2[@]}"; do
    case "${W5CMD2[$i]}" in
      --jobs) W5CMD2[$((i + 1))]=2 ;;
      --storage) W5CMD2[$((i + 1))]="$W5DIR2/w5.study.sqlite" ;;
      "output_models_path=$W5DIR/models") W5CMD2[$i]="output_models_path=$W5DIR2/models" ;;
      "output_results_path=$W5DIR/results") W5CMD2[$i]="output_results_path=$W5DIR2/results" ;;
    esac
  done
  python3 - "$OUT/recur_W5_jobs2.json" "$W5DIR2" "$BUILD/release/recur" "$W5DIR/w5.study.sqlite" "${W5CMD2[@]}" <<'PY' || log "W5 --jobs 2 failed (see $W5DIR2/tune.err)"
import json, subprocess, sys, time
out, work, recur, jobs1, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
t0 = time.perf_counter()
r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - t0
open(f"{work}/tune.err", "w").write(r.stderr)
if r.returncode != 0:
    sys.exit(r.returncode)
def values(study):
    e = json.loads(subprocess.run([recur, "study", "export", study, "--format", "json"], capture_output=True, text=True).stdout)
    trials = e["trials"] if isinstance(e, dict) else e
    return sorted((t["number"], t.get("value")) for t in trials)
same = values(f"{work}/w5.study.sqlite") == values(jobs1)
best = (json.loads(r.stdout).get("best") or {})
json.dump({"seconds": seconds, "jobs": 2, "best_val_loss": best.get("value"), "same_trial_values_as_jobs_1": same,
           "command": " ".join(cmd)}, open(out, "w"))
print(f"W5 --jobs 2 (not the workload): {seconds:.1f} s, best {best.get('value')}, every trial's value as --jobs 1: {same}",
      file=sys.stderr)
PY
else
  log "W5 skipped: recur tune is not available"
fi

if [[ $PEERS == 1 ]]; then
  if [[ -f "$OUT/data/W5.json" ]]; then
    log "W5 peer: hyperopt TPE + Keras, $W5_TRIALS trials x $W5_EPOCHS epochs"
    python3 - "$OUT/keras_W5.json" "$VENV/bin/python" scripts/bench_peer_tune.py --data "$OUT/data" \
        --trials "$W5_TRIALS" --epochs "$W5_EPOCHS" --template "$TEMPLATE" 2> "$OUT/keras_W5.log" <<'PY' || log "W5 peer failed (see $OUT/keras_W5.log)"
import json, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
r = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
seconds = time.perf_counter() - t0
if r.returncode != 0:
    sys.exit(r.returncode)
j = json.loads(r.stdout.strip().splitlines()[-1])
j["seconds"] = seconds  # the whole process, as for recur tune
json.dump(j, open(out, "w"))
PY
  fi
fi

python3 scripts/bench_peers.py report "$OUT"
log "raw results in $OUT"
