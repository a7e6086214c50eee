#!/usr/bin/env bash
# The dashboard in a real browser (docs/dashboard.md, "Browser check"): installs Debian's
# chromium and chromium-driver and selenium (in the tests' virtualenv) when missing, runs a tiny
# study with the built `recur`, serves it with its best package, and runs
# scripts/browser_check.py against it, adding a trial while the study page is open. Then the
# same on a PostgreSQL study (a throw-away server from scripts/pg-test-server.sh): a tiny
# `recur tune --storage postgresql://…`, served by `recur serve --storage postgresql://…
# --study NAME`, and a second `recur tune` adding a trial while the page is open.
# Screenshots go to ${RECUR_BROWSER_SHOTS:-.build/browser-shots} (the PostgreSQL run's to its
# `postgresql/` folder). The servers are the real `recur serve`.
# Skips (exit 0, with a line saying so) only where Chromium or selenium cannot be installed;
# the PostgreSQL run alone is skipped, with a line saying so, where PostgreSQL cannot be.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    if [ -z "$SUDO" ] || sudo -n true 2>/dev/null; then
        echo "installing chromium and chromium-driver (Debian)" >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
            || { $SUDO apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1; } || true
    fi
fi
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "browser tests skipped: Chromium cannot be installed here (apt-get install -y chromium chromium-driver needs root or sudo)"
    exit 0
fi
if ! py=$(bash scripts/install-python-tools.sh selenium 2>/dev/null); then
    echo "browser tests skipped: selenium cannot be installed into the tests' virtualenv"
    exit 0
fi

bin=${RECUR_BIN_DIR:-$(swift build --show-bin-path)}  # RECUR_BIN_DIR: another build of recur (e.g. .build/release)
for tool in recur; do
    [ -x "$bin/$tool" ] || { echo "browser tests: $bin/$tool is not built (swift build --build-tests)" >&2; exit 1; }
done
work=$(mktemp -d)
shots="${RECUR_BROWSER_SHOTS:-.build/browser-shots}"
server_pid=""
pg_dir=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    [ -n "$pg_dir" ] && bash scripts/pg-test-server.sh stop "$pg_dir" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Starts `recur serve "$@" --port P` in the background (server_pid) and waits until it answers.
serve() {
    local port=$1; shift
    "$bin/recur" serve "$@" --port "$port" >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/api/studies', timeout=1)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "browser tests: recur serve did not answer:" >&2; tail -n 20 "$work/server.log" >&2; return 1
}
stop_server() { [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; }; server_pid=""; }

# A tiny study: an hourly synthetic series, LSTM(4), 8 trials of 4 epochs with median pruning.
python3 - "$work" <<'PY'
import datetime, math, sys
work = sys.argv[1]
start = datetime.datetime(2021, 3, 1)
rows = ["date,hr,temp"]
for i in range(24 * 20):
    t = start + datetime.timedelta(hours=i)
    rows.append("%s,%d,%.2f" % (t.strftime("%Y-%m-%d"), t.hour, 15 + 4 * math.sin(i * 2 * math.pi / 24) + (i % 5) * 0.2))
open(work + "/series.csv", "w").write("\n".join(rows) + "\n")
open(work + "/tiny.json", "w").write("""{
  "data": {"path": "series.csv", "date_column": "date", "hour_column": "hr", "target": "temp"},
  "window": {"n_past_steps": 4},
  "model": {"layers": [{"type": "lstm", "units": 4}]},
  "training": {"epochs": 4, "batch_size": 16, "seed": 5, "optimizer": {"name": "adam", "learning_rate": 0.01}},
  "output": {"directory": "runs"},
  "search": {"max_evals": 8, "sampler": "tpe", "startup_trials": 3, "pruner": "median",
             "space": {"training.optimizer.learning_rate": {"log_uniform": [0.0005, 0.05]},
                       "window.n_past_steps": {"int": [2, 8]}, "model.layers[0].units": {"choice": [4, 8]}}}
}
""")
PY
if ! "$bin/recur" tune "$work/tiny.json" --jobs 2 >/dev/null 2>"$work/tune.log"; then
    cat "$work/tune.log" >&2; echo "browser tests: recur tune failed" >&2; exit 1
fi
study="$work/runs/tiny.study.sqlite"
models="$work/runs"
port=$(free_port)
serve "$port" --storage "$study" --models "$models" || exit 1
held=$(python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM trial').fetchone()[0])" "$study")
"$py" scripts/browser_check.py "http://127.0.0.1:$port" "$shots" --expect-trials "$held" \
    --add-trial-cmd "python3 scripts/add_study_trial.py '$study'"
status=$?
[ "$status" = 3 ] && { echo "browser tests skipped: the browser could not be started"; exit 0; }
[ "$status" = 0 ] || { echo "server log:" >&2; tail -n 20 "$work/server.log" >&2; }
stop_server
echo "browser screenshots: $shots"

# The same on a PostgreSQL study: 4 trials by `recur tune`, a fifth by a second `recur tune`
# (--trials raised) while the study page is open.
if ! pg_dir=$(bash scripts/pg-test-server.sh start 2>"$work/pg.log"); then
    pg_dir=""
    echo "browser tests on PostgreSQL skipped: scripts/pg-test-server.sh could not install or start PostgreSQL ($(tail -n 1 "$work/pg.log"))"
    exit "$status"
fi
# shellcheck disable=SC1091
. "$pg_dir/env"
pg_url="postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE"
tune_pg() { "$bin/recur" tune "$work/tiny.json" --storage "$pg_url" --study tinypg --quiet "$@" >/dev/null 2>>"$work/tune-pg.log"; }
if ! tune_pg --trials 4 --jobs 2; then
    cat "$work/tune-pg.log" >&2; echo "browser tests: recur tune on PostgreSQL failed" >&2; exit 1
fi
port=$(free_port)
serve "$port" --storage "$pg_url" --study tinypg || exit 1
held=$("$PG_TEST_BIN/psql" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE" -tAc \
    "SELECT count(*) FROM recur_trial t JOIN recur_study s ON s.id = t.study WHERE s.name = 'tinypg'")
"$py" scripts/browser_check.py "http://127.0.0.1:$port" "$shots/postgresql" --expect-trials "$held" \
    --add-trial-cmd "'$bin/recur' tune '$work/tiny.json' --storage '$pg_url' --study tinypg --trials 5 --jobs 1 --quiet >/dev/null 2>>'$work/tune-pg.log'"
pg_status=$?
[ "$pg_status" = 0 ] || { echo "server log (PostgreSQL run):" >&2; tail -n 20 "$work/server.log" >&2; tail -n 20 "$work/tune-pg.log" >&2; }
stop_server
echo "browser screenshots (PostgreSQL study): $shots/postgresql"
[ "$status" = 0 ] || exit "$status"
exit "$pg_status"
