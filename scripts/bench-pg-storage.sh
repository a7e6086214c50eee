#!/usr/bin/env bash
# Study storage cost (BENCHMARKS.md "Tuning across machines"): `RecurBench storage` on a
# throw-away PostgreSQL (scripts/pg-test-server.sh, loopback) and on an SQLite file: per trial,
# claim + intermediate value + heartbeat + commit (median, p99), then a LOAD-trial study:
# `trials()` and a claim's sampler view in process, and `recur study show` (text and --json)
# as whole commands. Release build unless BENCH / RECUR name binaries.
#   bash scripts/bench-pg-storage.sh [TRIALS [LOAD]]     (default 300 10000)
#   PG_TEST_FSYNC=on bash scripts/bench-pg-storage.sh     (the server with fsync on)
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${BENCH:-.build/release/RecurBench}
recur=${RECUR:-.build/release/recur}
trials=${1:-300}
load=${2:-10000}
work=$(mktemp -d)
server=$(bash scripts/pg-test-server.sh start)
trap 'bash scripts/pg-test-server.sh stop "$server" >/dev/null 2>&1; rm -rf "$work"' EXIT
. "$server/env"
url="postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE"
for storage in "$url" "$work/sqlite"; do
    mkdir -p "$work/sqlite"
    "$bench" storage --storage "$storage" --trials "$trials" --load-trials "$load" > "$work/out.txt"
    cat "$work/out.txt"
    big_storage=$(sed -n 's/.*-trial study \([^ ]*\) in \(.*\): trials().*/\2/p' "$work/out.txt")
    big_study=$(sed -n 's/.*-trial study \([^ ]*\) in \(.*\): trials().*/\1/p' "$work/out.txt")
    for format in --json ""; do
        for k in 1 2 3; do
            start=$(date +%s.%N)
            "$recur" study show "$big_storage" --study "$big_study" $format > "$work/show.out"
            end=$(date +%s.%N)
            python3 -c "print('  recur study show %s, %d-trial study: %.3f s (%d bytes)' % ('${format:-(text)}', $load, $end - $start, $(wc -c < "$work/show.out")))"
        done
    done
done
