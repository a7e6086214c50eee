#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, builds, runs every test.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh || exit 1
# Python's `tensorboard` reads our event files in a test (venv outside the repo).
bash scripts/install-python-tools.sh >/dev/null || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "building (debug, with tests)..." >&2
if ! swift build --build-tests >"$log" 2>&1; then
  grep -v -E '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Wrapping|Write|Linking|Planning)' "$log"
  echo "build failed" >&2
  exit 1
fi
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One plain closing line: "tests: N passed, N failed", from XCTest's own summary.
summary=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$log" | tail -n 1)
if [ -n "$summary" ]; then
  total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
  failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$summary")
  skipped=$(grep -c -E "Test Case .* skipped" "$log" || true)
  echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
# Fuzz smoke run: each libFuzzer target a few seconds on its corpus (scripts/fuzz.sh; it prints
# one line and succeeds where this toolchain cannot build fuzz targets).
if ! bash scripts/fuzz.sh --smoke; then
  echo "fuzz smoke run failed" >&2
  [ "$status" = 0 ] && status=1
fi
exit "$status"
