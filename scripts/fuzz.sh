#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs them on their seed corpora.
#
#   scripts/fuzz.sh [--seconds N] [--smoke] [--no-build] [TARGET...]
#
# TARGET is csv, config, set, safetensors or manifest (default: all). Each target runs for N
# seconds (default 60) on Fuzz/corpus/TARGET plus a working corpus in .build-fuzz/corpus/TARGET
# (new inputs go there, not into the repository). A crash stops the target and leaves the input
# in .build-fuzz/crashes/; the script then exits 1. With --smoke (CI: scripts/test.sh) each
# target runs 5 seconds, and a machine where the fuzz build is impossible (no libFuzzer runtime)
# prints one line saying so and exits 0. --no-build runs the binaries already built.
#
# The build: RECUR_FUZZ=1 adds the targets to Package.swift; `swift build --sanitize=fuzzer
# -Xswiftc -sanitize=fuzzer,address -c release` instruments every module they use (coverage and
# AddressSanitizer); scratch folder .build-fuzz.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
seconds=60
smoke=0
build=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --smoke) smoke=1; seconds=5; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n "2,17p" "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(csv config set safetensors manifest)
for t in "${targets[@]}"; do
  [ -d "Fuzz/corpus/$t" ] || { echo "fuzz: unknown target '$t' (csv, config, set, safetensors, manifest)" >&2; exit 2; }
done

scratch=.build-fuzz
log="$scratch/build.log"
mkdir -p "$scratch/crashes"
for t in "${targets[@]}"; do
  [ "$build" = 1 ] || break
  # `--sanitize=fuzzer` links libFuzzer and instruments C; the -X flags add AddressSanitizer
  # (SwiftPM passes only the last of two --sanitize options to the compiler).
  if ! RECUR_FUZZ=1 swift build -c release --scratch-path "$scratch" --sanitize=fuzzer \
       -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address --product "fuzz-$t" >"$log" 2>&1; then
    if [ "$smoke" = 1 ] && grep -q -E "fuzzer|libclang_rt|sanitizer" "$log"; then
      echo "fuzz: skipped, this toolchain cannot build libFuzzer targets (see $log)"
      exit 0
    fi
    grep -E "error" "$log" | head -20 >&2
    echo "fuzz: building fuzz-$t failed (log: $log)" >&2
    exit 1
  fi
done

bin="$scratch/release"
status=0
for t in "${targets[@]}"; do
  work="$scratch/corpus/$t"
  mkdir -p "$work"
  # Large but valid models are refused below 256 MiB, so they do not exhaust the fuzzer's memory.
  out="$scratch/fuzz-$t.log"
  [ -x "$bin/fuzz-$t" ] || { echo "fuzz: $bin/fuzz-$t is not built (run without --no-build)" >&2; exit 1; }
  RECUR_MAX_MODEL_MEMORY=256M "$bin/fuzz-$t" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$scratch/crashes/$t-" "$work" "Fuzz/corpus/$t" >"$out" 2>&1
  rc=$?
  # libFuzzer's last status line: executions, coverage (cov) and features (ft).
  last=$(grep -E '^#[0-9]+' "$out" | tail -n 1)
  execs=$(grep -E '^stat::number_of_executed_units' "$out" | awk '{print $2}')
  if [ $rc -ne 0 ]; then
    echo "fuzz-$t: FAILED after ${execs:-?} executions: $(grep -m1 -E 'ERROR|Fatal error|SUMMARY' "$out")" >&2
    echo "  input and log: $scratch/crashes/$t-*, $out" >&2
    status=1
  else
    echo "fuzz-$t: ${seconds}s, ${execs:-?} executions; $last"
  fi
done
exit $status
