#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: a new cluster in a temporary folder, on a free
# loopback port, run as an unprivileged user (PostgreSQL refuses root; CI runs as root), with
# trust authentication for the loopback only. Installs Debian's `postgresql` when missing.
#
#   dir=$(scripts/pg-test-server.sh start)   # prints the cluster folder; $dir/env holds
#                                            # PGHOST PGPORT PGUSER PGDATABASE (source it)
#   dir=$(scripts/pg-test-server.sh start --ssl)   # the same with TLS only on TCP: a
#                                            # throw-away self-signed certificate made with
#                                            # openssl in the cluster's folder; connections
#                                            # without TLS are refused (pg_hba `hostnossl reject`)
#   scripts/pg-test-server.sh stop "$dir"    # stops the server and removes the folder
#
# PG_TEST_FSYNC=on starts the server with fsync on (default off: a test server loses nothing
# the tests need when the machine keeps running).
#
# Progress goes to stderr. Exit 1 when PostgreSQL cannot be installed or started.
set -euo pipefail

find_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    return 1
}

install_server() {
    find_bin >/dev/null && return 0
    local SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "installing postgresql (Debian)" >&2
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
    find_bin >/dev/null
}

# The user the server runs as: ourselves, or (as root) the package's `postgres` account, else nobody.
server_user() {
    if [ "$(id -u)" -ne 0 ]; then id -un
    elif id postgres >/dev/null 2>&1; then echo postgres
    else echo nobody; fi
}

as_user() {
    local user=$1; shift
    if [ "$(id -un)" = "$user" ]; then "$@"
    elif command -v runuser >/dev/null; then runuser -u "$user" -- "$@"
    else su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"; fi
}

# The server outlives this script: it must not keep open any descriptor this script inherited
# beyond stdin/stdout/stderr (a caller's pipe, or the socket by which Foundation's Process
# sees its child end: held by the server, the caller would wait for ever). Run in a subshell.
close_inherited_fds() {
    local fd
    for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
}

install_openssl() {
    command -v openssl >/dev/null && return 0
    local SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "installing openssl (Debian)" >&2
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openssl >/dev/null
    command -v openssl >/dev/null
}

# TLS for the cluster in $1 run by $2: a self-signed certificate for 127.0.0.1/localhost, valid
# for a day, made here and removed with the folder; TCP connections without TLS are refused.
enable_ssl() {
    local dir=$1 user=$2
    install_openssl || { echo "pg-test-server: openssl could not be installed" >&2; exit 1; }
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >"$dir/openssl.log" 2>&1 \
        || { cat "$dir/openssl.log" >&2; exit 1; }
    chmod 600 "$dir/data/server.key"
    chown "$user" "$dir/data/server.key" "$dir/data/server.crt" 2>/dev/null || true
    printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >> "$dir/data/postgresql.conf"
    printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n' > "$dir/data/pg_hba.conf"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local ssl=0
    [ "${1:-}" = "--ssl" ] && ssl=1
    install_server || { echo "pg-test-server: PostgreSQL could not be installed" >&2; exit 1; }
    local bin user dir port
    bin=$(find_bin)
    user=$(server_user)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/recur-pg.XXXXXX")
    chmod 755 "$dir"
    mkdir "$dir/data" "$dir/run"
    chown "$user" "$dir/data" "$dir/run" 2>/dev/null || true
    chmod 700 "$dir/data"
    as_user "$user" "$bin/initdb" -D "$dir/data" -U recur --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || as_user "$user" "$bin/initdb" -D "$dir/data" -U recur --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    [ "$ssl" = 1 ] && enable_ssl "$dir" "$user"
    local tries
    for tries in 1 2 3 4 5; do
        port=$(free_port)
        if (close_inherited_fds; as_user "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c fsync=${PG_TEST_FSYNC:-off} -c max_connections=200" start </dev/null >&2); then
            break
        fi
        port=""
    done
    [ -n "$port" ] || { cat "$dir/run/server.log" >&2; exit 1; }
    as_user "$user" "$bin/createdb" -h "$dir/run" -p "$port" -U recur recur
    printf 'PGHOST=127.0.0.1\nPGPORT=%s\nPGUSER=recur\nPGDATABASE=recur\nPG_TEST_BIN=%s\nPG_TEST_USER=%s\nPG_TEST_SSL=%s\nPG_TEST_FSYNC=%s\n' \
        "$port" "$bin" "$user" "$ssl" "${PG_TEST_FSYNC:-off}" > "$dir/env"
    echo "$dir"
}

stop() {
    local dir=$1
    [ -f "$dir/env" ] || { echo "pg-test-server: $dir is not a test cluster" >&2; exit 1; }
    # shellcheck disable=SC1091
    . "$dir/env"
    as_user "$PG_TEST_USER" "$PG_TEST_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    rm -rf "$dir"
}

restart() {
    local dir=$1
    . "$dir/env"
    (close_inherited_fds; as_user "$PG_TEST_USER" "$PG_TEST_BIN/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -m fast -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $dir/run -c fsync=${PG_TEST_FSYNC:-off} -c max_connections=200" restart </dev/null >&2)
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop "${2:?usage: pg-test-server.sh stop DIR}" ;;
    restart) restart "${2:?usage: pg-test-server.sh restart DIR}" ;;
    *) echo "usage: pg-test-server.sh start [--ssl] | stop DIR | restart DIR" >&2; exit 2 ;;
esac
