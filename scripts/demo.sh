#!/usr/bin/env bash
# The main job (README): installs what is missing, builds in release, shows the engine's BLAS,
# and trains an LSTM forecaster on a synthetic series the tool generates.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
swift build -c release --product recur 2>&1 | grep -E "error|warning: unre|Compiling recur|Build complete" || true
bin=$(swift build -c release --show-bin-path)/recur
"$bin" doctor
echo
"$bin" demo "$@"
