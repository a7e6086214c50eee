#!/usr/bin/env bash
# The template's hyperopt_pars on A620 with 2 workers on PostgreSQL against 2 workers on SQLite
# (BENCHMARKS.md "Tuning across machines"): the W5 slice of scripts/bench.sh (2016-06-01 to
# 2016-08-31, numeric_var=temp), TRIALS trials of EPOCHS epochs, two `recur tune` processes
# (--jobs 1 each) started together on one study, ROUNDS times per storage, alternating.
#
# A fixed seed schedule: TRIALS is at most the TPE's startup trials (10), so every trial's
# parameters are drawn at random from (study seed, trial number) whatever the order in which
# the workers finish, and its training seed is the config's: trial N is the same training run
# on both storages. The script checks that each trial number has the same value on both (so
# the same best value), and prints each round's wall time.
#   bash scripts/bench-pg-a620.sh [TRIALS [EPOCHS [ROUNDS]]]     (default 10 10 3)
set -euo pipefail
cd "$(dirname "$0")/.."
recur=${RECUR:-.build/release/recur}
trials=${1:-10}
epochs=${2:-10}
rounds=${3:-3}
data=$(cd "${DATA:-../shared/datasets}" && pwd)
work=$(mktemp -d)
server=$(bash scripts/pg-test-server.sh start)
trap 'bash scripts/pg-test-server.sh stop "$server" >/dev/null 2>&1; rm -rf "$work"' EXIT
. "$server/env"
url="postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE"
common=(--set numeric_var=temp --set "input_csv=$data/a620-hourly-temperature.csv" --set "epochs=$epochs"
        --since 2016-06-01 --until 2016-08-31 --trials "$trials" --jobs 1 --quiet)
round() {  # storage, study, tag
    local out="$work/$3" start end
    mkdir -p "$out"
    start=$(date +%s.%N)
    for k in 1 2; do
        "$recur" tune "$data/seed-config-template.json" "${common[@]}" --set "output_models_path=$out/models" \
            --set "output_results_path=$out/results" --storage "$1" --study "$2" >/dev/null 2>"$out/err-$k" &
    done
    wait
    end=$(date +%s.%N)
    for k in 1 2; do [ -s "$out/err-$k" ] && grep -v '^note:' "$out/err-$k" >&2 || true; done
    "$recur" study show "$1" --study "$2" --json > "$out/study.json"
    python3 - "$out/study.json" "$3" "$start" "$end" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
values = {t["number"]: t["value"] for t in s["trials"]}
json.dump(values, open(sys.argv[1] + ".values", "w"))
print("%-14s wall %6.2f s, %s, best trial %s value %r" % (sys.argv[2], float(sys.argv[4]) - float(sys.argv[3]),
      s["counts"], s["best"]["number"], s["best"]["value"]))
PY
}
for r in $(seq "$rounds"); do
    round "$url" "a620-$r" "postgresql-$r"
    round "$work/sqlite-$r.study.sqlite" "a620" "sqlite-$r"
done
python3 - "$work" "$rounds" <<'PY'
import json, sys
work, rounds = sys.argv[1], int(sys.argv[2])
runs = {f"{kind}-{r}": json.load(open(f"{work}/{kind}-{r}/study.json.values")) for kind in ("postgresql", "sqlite") for r in range(1, rounds + 1)}
first = next(iter(runs.values()))
same = all(v == first for v in runs.values())
print("every trial number has the same value in every run:", "yes" if same else "NO")
if not same:
    for name, v in runs.items(): print(" ", name, v)
    sys.exit(1)
PY
