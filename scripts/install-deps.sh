#!/usr/bin/env bash
# Installs the system libraries Recur needs on Debian/Ubuntu: OpenBLAS (matrix products).
# Idempotent: does nothing when they are already there. Needs root or sudo for apt-get.
set -euo pipefail
need=()
ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0' || need+=(libopenblas0 libopenblas-dev)
# SQLite (studies of `recur tune`, through GRDB).
[ -e /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)
# zlib: compressed best packages of PostgreSQL studies (RecurTunePostgres, CZlib).
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
# curl: the HTTP client of the `recur serve` tests.
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "Swift 6 not found (expected on PATH or at /opt/swift)" >&2; exit 1; }
