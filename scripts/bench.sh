#!/usr/bin/env bash
# The benchmark harness: Recur and its peers (PyTorch, Keras) on the workloads of DESIGN.md
# section 4, on the real data sets, in one run. Prints a markdown table (BENCHMARKS.md keeps the
# latest) and leaves every raw JSON in $RECUR_BENCH_OUT (default: a temp folder).
#
#   bash scripts/bench.sh                 # everything (about 5-8 minutes on 2 cores)
#   bash scripts/bench.sh --no-peers      # Recur only
#
# Environment:
#   RECUR_DATA         the folder of the CSV files (default ../shared/datasets)
#   RECUR_BENCH_VENV   virtualenv for the peers, outside the repo (default ~/.cache/recur/venv-bench;
#                      created with numpy, torch, tensorflow-cpu, keras when missing;
#                      /work/venv-ref already has them on the project machines)
#   RECUR_BENCH_BUILD  SwiftPM build path (default .build)
#   RECUR_THREADS      Recur's engine threads (default: the cores, at most 2)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=${RECUR_DATA:-../shared/datasets}
VENV=${RECUR_BENCH_VENV:-$HOME/.cache/recur/venv-bench}
BUILD=${RECUR_BENCH_BUILD:-.build}
OUT=${RECUR_BENCH_OUT:-$(mktemp -d /tmp/recur-bench.XXXXXX)}
PEERS=1
[[ "${1:-}" == "--no-peers" ]] && PEERS=0
mkdir -p "$OUT"
log() { echo "[bench] $*" >&2; }

log "building RecurBench and recur (release) into $BUILD"
swift build -c release --build-path "$BUILD" --product RecurBench >&2
BENCH="$BUILD/release/RecurBench"
HAVE_RECUR=0
if swift build -c release --build-path "$BUILD" --product recur >&2; then HAVE_RECUR=1; else log "recur did not build: W4 skipped"; fi

log "machine and BLAS"
"$BENCH" env --json > "$OUT/recur_env.json"

for w in W1 W2 W3; do
  log "Recur $w (real data; arrays exported to $OUT/data for the peers)"
  # One process per workload, so that its peak RSS is its own. RecurBench prints one JSON
  # object; the workload's part is extracted for the report.
  "$BENCH" "$w" --json --data "$DATA" --export "$OUT/data" > "$OUT/recur_${w}_full.json"
  python3 - "$OUT/recur_${w}_full.json" "$OUT/recur_${w}.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
json.dump(j["workloads"][0], open(sys.argv[2], "w"))
PY
done

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
json.dump({"mean_ms": r["mean"] * 1e3, "min_ms": r["min"] * 1e3, "runs": len(r["times"]), "tool": "hyperfine"}, open(sys.argv[2], "w"))
PY
      else
        python3 - "$OUT/recur_W4.json" "${CMD[@]}" <<'PY'
import json, subprocess, sys, time
times = []
for _ in range(22):
    t0 = time.perf_counter(); subprocess.run(sys.argv[2:], check=True, capture_output=True); times.append(time.perf_counter() - t0)
times = times[2:]
json.dump({"mean_ms": 1e3 * sum(times) / len(times), "min_ms": 1e3 * min(times), "runs": len(times), "tool": "loop"}, open(sys.argv[1], "w"))
PY
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
log "W5 (tuning vs hyperopt + Keras): TODO, not part of the harness yet"

if [[ $PEERS == 1 ]]; then
  if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating the peers' virtualenv at $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet numpy torch tensorflow-cpu keras
  fi
  for fw in torch keras; do
    for w in W1 W2 W3; do
      log "$fw $w"
      "$VENV/bin/python" scripts/bench_peers.py run "$fw" "$w" --data "$OUT/data" > "$OUT/${fw}_${w}.json" \
        2> "$OUT/${fw}_${w}.log" || log "$fw $w failed (see $OUT/${fw}_${w}.log)"
    done
  done
fi

python3 scripts/bench_peers.py report "$OUT"
log "raw results in $OUT"
