#!/usr/bin/env bash
# Measures `recur serve` with wrk on loopback (BENCHMARKS.md, "Serving"): trains the W2 package
# (A620 template network, one epoch on 2015-2016: the weights do not change the cost) and the
# Melbourne seed package (2 epochs) if missing, serves both, and runs wrk with 24-step JSON
# forecasts from 48-observation bodies at 1, 8 and 50 connections, then a soak. Needs an idle
# machine for numbers that mean something; wrk from Debian's package (apt-get install wrk).
# Usage: scripts/bench-serve.sh [WORKDIR] [SECONDS per run] [SOAK SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-.build/bench-serve}"; secs="${2:-10}"; soak="${3:-60}"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product recur 2>&1 | grep -E "error" || true
recur="$(swift build -c release --show-bin-path)/recur"
data=../shared/datasets
mkdir -p "$work/models"
[ -d "$work/models/w2" ] || "$recur" train examples/a620-template-native.json --set data.since=2015-01-01 \
    --set training.epochs=1 --set training.tensorboard=false --output "$work/models/w2" --quiet
[ -d "$work/models/melbourne" ] || "$recur" train examples/melbourne-seed.json --set training.epochs=2 \
    --output "$work/models/melbourne" --quiet
# 48-observation bodies from the end of each file (A620: station rows, hour column; the file
# repeats some hours, and a JSON body holds one observation per timestamp: the first is kept).
python3 - "$data" "$work" <<'PY'
import csv, json, sys
data, work = sys.argv[1], sys.argv[2]
seen, obs = set(), []
for r in csv.DictReader(open(f"{data}/a620-hourly-temperature.csv")):
    t = f"{r['date']}T{int(float(r['hr'])):02d}:00:00Z"
    if r["inme"] == "A620" and t not in seen:
        seen.add(t); obs.append({"timestamp": t, "value": float(r["temp"])})
obs = obs[-48:]
json.dump({"observations": obs, "steps": 24}, open(f"{work}/w2.json", "w"))
rows = list(csv.DictReader(open(f"{data}/melbourne-daily-min-temperatures.csv")))[-48:]
obs = [{"timestamp": r["Date"], "value": float(r["Temp"])} for r in rows]
json.dump({"observations": obs, "steps": 24}, open(f"{work}/melbourne.json", "w"))
PY
port=18480
"$recur" serve --models "$work/models" --port $port 2>>"$work/serve.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BODY"), "r"); wrk.body = f:read("*a"); f:close()
LUA
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
for model in w2 melbourne; do
  curl -sf -H 'Content-Type: application/json' --data-binary @"$work/$model.json" \
      "http://127.0.0.1:$port/v1/models/$model/forecast" >/dev/null || { echo "forecast on $model failed" >&2; exit 1; }
  for c in 1 8 50; do
    t=$(( c < 2 ? 1 : 2 ))
    echo "== $model, $c connections, ${secs}s"
    : > "$work/serve.log"
    BODY="$work/$model.json" wrk -t$t -c$c -d${secs}s --latency -s "$work/post.lua" \
        "http://127.0.0.1:$port/v1/models/$model/forecast" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
    # The server's own median time in the package's cleaning and model (forecast_ms).
    grep -ao 'forecast_ms=[0-9.]*' "$work/serve.log" | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {if (NR) print "   in-process forecast median ms:", a[int((NR+1)/2)]}'
  done
done
echo "== soak: w2, 8 connections, ${soak}s"
before=$(rss)
BODY="$work/w2.json" wrk -t2 -c8 -d${soak}s --latency -s "$work/post.lua" \
    "http://127.0.0.1:$port/v1/models/w2/forecast" | grep -E "requests in|Requests/sec|  99%|Non-2xx|Socket errors" || true
after=$(rss)
echo "   resident memory before ${before} kB, after ${after} kB"
