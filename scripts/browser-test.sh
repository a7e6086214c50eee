#!/usr/bin/env bash
# The dashboard in a real browser (docs/dashboard.md, "Browser check"): installs Debian's
# chromium and chromium-driver and selenium (in the tests' virtualenv) when missing, runs a tiny
# study with the built `recur`, serves it with its best package, and runs
# scripts/browser_check.py against it, adding a trial while the study page is open.
# Screenshots go to ${RECUR_BROWSER_SHOTS:-.build/browser-shots}. The server is the real
# `recur serve --storage … --models …`.
# Skips (exit 0, with a line saying so) only where Chromium or selenium cannot be installed.
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

bin=$(swift build --show-bin-path)
for tool in recur; do
    [ -x "$bin/$tool" ] || { echo "browser tests: $bin/$tool is not built (swift build --build-tests)" >&2; exit 1; }
done
work=$(mktemp -d)
shots="${RECUR_BROWSER_SHOTS:-.build/browser-shots}"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

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
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/recur" serve --storage "$study" --models "$models" --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/api/studies', timeout=1)" 2>/dev/null && break
    sleep 0.1
done
"$py" scripts/browser_check.py "http://127.0.0.1:$port" "$shots" \
    --add-trial-cmd "python3 scripts/add_study_trial.py '$study'"
status=$?
[ "$status" = 3 ] && { echo "browser tests skipped: the browser could not be started"; exit 0; }
[ "$status" = 0 ] || { echo "server log:" >&2; tail -n 20 "$work/server.log" >&2; }
echo "browser screenshots: $shots"
exit "$status"
