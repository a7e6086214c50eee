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
# Tests never write outside their temp folders: ../shared (the data sets) must be the same
# after the suite, every entry and every byte (issue 9, item 10).
shared_listing() {
  [ -d ../shared ] || return 0
  (cd ../shared && find . -print0 | LC_ALL=C sort -z | xargs -0 -r sh -c 'for f; do if [ -f "$f" ]; then sha256sum "$f"; else echo "entry $f"; fi; done' sh)
}
shared_before=$(shared_listing)
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
shared_after=$(shared_listing)
if [ "$shared_before" != "$shared_after" ]; then
  echo "FAILED: the test suite changed ../shared (tests must write only into their temp folders):" >&2
  diff <(echo "$shared_before") <(echo "$shared_after") >&2 || true
  status=1
fi
# The dashboard in headless Chromium (skipped, with a line saying so, where it cannot be installed).
bash scripts/browser-test.sh
browser=$?
[ "$browser" = 0 ] || status=$browser
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
