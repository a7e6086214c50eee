#!/usr/bin/env bash
# The main job (README): installs what is missing, builds `recur` in release, and runs the whole
# workflow on a SYNTHETIC station series that the tool generates (no real data needed):
# synth -> inspect -> train -> predict -> report. Output goes to ./demo-run (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
echo "building recur (release)..." >&2
swift build -c release --product recur 2>&1 | grep -E "error|warning: unre" || true
recur="$(swift build -c release --show-bin-path)/recur"
out="${1:-demo-run}"
rm -rf "$out"
set -x
"$recur" doctor
"$recur" synth --output "$out"
"$recur" inspect "$out/synthetic-station.csv" --config "$out/synthetic.json" --plots "$out/inspect"
"$recur" train "$out/synthetic.json" --output "$out/model"
"$recur" predict "$out/model" --input "$out/synthetic-station.csv" --steps 24 --output "$out/forecast.csv"
"$recur" report "$out/model"
head -4 "$out/forecast.csv"  # the forecast with its 80% and 95% prediction intervals
set +x
echo
echo "Done. Model package: $out/model; forecast: $out/forecast.csv; charts: $out/model/report and $out/inspect"
echo "Dashboard (pages of the model; add --storage STUDY.sqlite for a study): $recur serve --models $out, then open http://127.0.0.1:8080/"
