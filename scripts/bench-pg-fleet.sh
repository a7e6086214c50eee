#!/usr/bin/env bash
# Fleet throughput on PostgreSQL (BENCHMARKS.md): N `recur tune` workers on one study of a tiny
# objective (288 hourly samples, 1 epoch, LSTM 4), trials per second for N = 1 2 4 8, and the
# same study on SQLite with 1 and 2 workers as the baseline. Uses a throw-away server from
# scripts/pg-test-server.sh and the debug build unless RECUR names a binary.
#   bash scripts/bench-pg-fleet.sh [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
recur=${RECUR:-.build/x86_64-unknown-linux-gnu/debug/recur}
trials=${1:-32}
work=$(mktemp -d)
server=$(bash scripts/pg-test-server.sh start)
trap 'bash scripts/pg-test-server.sh stop "$server" >/dev/null 2>&1; rm -rf "$work"' EXIT
. "$server/env"
url="postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE"
python3 - "$work/series.csv" <<'PY'
import math, sys
with open(sys.argv[1], "w") as f:
    f.write("date,hr,temp\n")
    for d in range(12):
        for h in range(24):
            i = d * 24 + h
            f.write("2021-03-%02d,%d,%.2f\n" % (1 + d, h, 15 + 4 * math.sin(i * 2 * math.pi / 24) + (i % 5) * 0.2))
PY
cat > "$work/tiny.json" <<JSON
{"data": {"path": "$work/series.csv", "date_column": "date", "hour_column": "hr", "target": "temp"},
 "window": {"n_past_steps": 4}, "model": {"layers": [{"type": "lstm", "units": 4}]},
 "training": {"epochs": 1, "batch_size": 16, "optimizer": {"name": "adam", "learning_rate": 0.01}}, "output": {"directory": "$work/runs"},
 "search": {"max_evals": $trials, "sampler": "random", "space": {"training.optimizer.learning_rate": {"log_uniform": [0.001, 0.05]}}}}
JSON
run() {  # storage, workers, study
    local start end k
    start=$(date +%s.%N)
    for k in $(seq "$2"); do "$recur" tune "$work/tiny.json" --storage "$1" --study "$3" --quiet >/dev/null 2>"$work/err-$k" & done
    wait
    for k in $(seq "$2"); do [ -s "$work/err-$k" ] && { echo "worker $k failed:" >&2; cat "$work/err-$k" >&2; exit 1; }; done
    wait
    end=$(date +%s.%N)
    python3 -c "print('%-10s %2d workers: %d trials in %.2f s, %.2f trials/s' % ('$4', $2, $trials, $end - $start, $trials / ($end - $start)))"
}
for n in ${WORKERS:-1 2 4 8}; do run "$url" "$n" "fleet-$n" postgresql; done
for n in ${SQLITE_WORKERS:-1 2}; do run "$work/sqlite-$n.study.sqlite" "$n" "x" sqlite; done
# Loading a 10,000-trial study (LOAD=1): 9,999 synthetic trials (10 epochs each) added by SQL
# to a one-trial study, then `recur study show --json` timed (it reads every trial and value).
if [ "${LOAD:-0}" = 1 ]; then
    "$recur" tune "$work/tiny.json" --storage "$url" --study big --trials 1 --quiet >/dev/null 2>&1
    psql -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE" <<'SQL'
INSERT INTO recur_trial (study, number, state, params_json, value, started_at, finished_at, seconds, seed, attempts)
SELECT s.id, n, 'complete', '{"training.optimizer.learning_rate":' || (0.001 + n * 1e-6) || '}', 1.0 / n, 0, 1, 1, n, 1
FROM recur_study s, generate_series(1, 9999) n WHERE s.name = 'big';
INSERT INTO recur_intermediate (study, trial, epoch, value)
SELECT s.id, n, e, 1.0 / (n + e) FROM recur_study s, generate_series(1, 9999) n, generate_series(1, 10) e WHERE s.name = 'big';
SQL
    for k in 1 2 3; do
        start=$(date +%s.%N)
        "$recur" study show "$url" --study big --json >/dev/null
        end=$(date +%s.%N)
        python3 -c "print('study show --json, 10,000 trials, 100,000 values: %.2f s' % ($end - $start))"
    done
fi
