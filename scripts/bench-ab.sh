#!/usr/bin/env bash
# A/B of W1-W3 (RecurBench) and W5 (recur tune) between two checkouts of Recur with release
# builds (e.g. a `git worktree` of an older commit and this one), in alternating rounds on one
# machine, so that both see the same neighbours (BENCHMARKS.md, "No regression ...").
#   BASE=/path/to/old-checkout [NEW=.] [RECUR_DATA=../shared/datasets] bash scripts/bench-ab.sh [OUT]
# Each checkout needs `swift build -c release --product RecurBench --product recur` first.
set -uo pipefail
OUT=${1:-$(mktemp -d /tmp/recur-ab.XXXXXX)}; mkdir -p "$OUT"
NEW=$(cd "${NEW:-$(dirname "$0")/..}" && pwd)
BASE=$(cd "${BASE:?set BASE to the older checkout}" && pwd)
DATA=$(cd "${RECUR_DATA:-$NEW/../shared/datasets}" && pwd)
A620=$DATA/a620-hourly-temperature.csv
declare -A BENCH=([base]=$BASE/.build/release/RecurBench [new]=$NEW/.build/release/RecurBench)
declare -A DIR=([base]=$BASE [new]=$NEW)
declare -A RECUR=([base]=$BASE/.build/release/recur [new]=$NEW/.build/release/recur)
for r in 1 2 3; do
  for v in base new; do
    for w in W1 W2 W3; do
      [[ $w == W1 && $r -gt 1 ]] && continue
      (cd "${DIR[$v]}" && "${BENCH[$v]}" $w --json --data $DATA > "$OUT/${v}_${w}_r$r.json" 2>"$OUT/${v}_${w}_r$r.err")
    done
    d=$(mktemp -d /tmp/ab-w5.XXXX)
    s=$(date +%s.%N)
    (cd "$NEW" && "${RECUR[$v]}" tune $DATA/seed-config-template.json --set numeric_var=temp --set "input_csv=$A620" --set epochs=3 \
      --set "output_models_path=$d/models" --set "output_results_path=$d/results" --since 2016-06-01 --until 2016-08-31 \
      --trials 10 --jobs 1 --storage "$d/w5.study.sqlite" --json --quiet > "$OUT/${v}_W5_r$r.json" 2>"$OUT/${v}_W5_r$r.err")
    e=$(date +%s.%N); echo "{\"seconds\": $(echo "$e - $s" | bc)}" > "$OUT/${v}_W5_r${r}_time.json"
    rm -rf "$d"
  done
done
python3 - "$OUT" <<'PY'
import json, glob, sys, os
out = sys.argv[1]
def get(p, k):
    try:
        j = json.load(open(p)); j = j.get("workloads", [j])[0] if "workloads" in j else j
        return j.get(k)
    except Exception as e: return None
for v in ("base", "new"):
    w1 = get(f"{out}/{v}_W1_r1.json", "seconds"), get(f"{out}/{v}_W1_r1.json", "test_rmse")
    w2 = [get(p, "samples_per_second") for p in sorted(glob.glob(f"{out}/{v}_W2_r*.json"))]
    w3 = [get(p, "samples_per_second") for p in sorted(glob.glob(f"{out}/{v}_W3_r*.json"))]
    w5 = [json.load(open(p))["seconds"] for p in sorted(glob.glob(f"{out}/{v}_W5_r*_time.json"))]
    print(v, "W1", w1, "W2", [round(x or 0) for x in w2], "W3", [round(x or 0) for x in w3], "W5", [round(x, 2) for x in w5])
PY
