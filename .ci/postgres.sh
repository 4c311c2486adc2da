# shellcheck shell=bash
# Start a throwaway PostgreSQL cluster for the store tests and export CONFMAN_TEST_PG_URL.
#
#   source .ci/postgres.sh          # start (idempotent) and export the URL
#   confman_pg_stop                 # stop it and remove its data directory
#
# Works as root on a fresh Debian machine: installs the postgresql package if missing, and runs
# the server as the unprivileged `postgres` user (PostgreSQL refuses to run as root). Listens only
# on a unix socket in $CONFMAN_PG_DIR, with trust auth: nothing is reachable from the network.

confman_pg_start() {
    local dir="${CONFMAN_PG_DIR:-/tmp/confman-pg}" port="${CONFMAN_PG_PORT:-54329}" db="confman_test"
    local bin run_as=() owner
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$bin" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "postgres.sh: installing postgresql (apt-get)" >&2
            apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 || return 1
            bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
        else
            echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
            return 1
        fi
    fi
    owner="$(id -un)"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres || return 1
        owner=postgres
        run_as=(runuser -u postgres --)
    fi
    mkdir -p "$dir" && chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U "$owner" --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    if ! "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses= -c fsync=off -c max_connections=50" start >/dev/null \
            || { tail -n 20 "$dir/server.log" >&2; return 1; }
    fi
    "${run_as[@]}" "$bin/psql" -h "$dir" -p "$port" -U "$owner" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
        || "${run_as[@]}" "$bin/createdb" -h "$dir" -p "$port" -U "$owner" "$db" || return 1
    export CONFMAN_TEST_PG_URL="postgresql://$owner@/$db?host=$dir&port=$port"
    export CONFMAN_PG_BIN="$bin" CONFMAN_PG_DIR="$dir"
    echo "postgres.sh: CONFMAN_TEST_PG_URL=$CONFMAN_TEST_PG_URL" >&2
}

confman_pg_stop() {
    local dir="${CONFMAN_PG_DIR:-/tmp/confman-pg}" bin run_as=()
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ "$(id -u)" = 0 ] && run_as=(runuser -u postgres --)
    [ -n "$bin" ] && [ -f "$dir/data/PG_VERSION" ] && "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$dir"
    unset CONFMAN_TEST_PG_URL
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # Executed rather than sourced: start, then print the URL for `eval`/CI logs.
    confman_pg_start && echo "export CONFMAN_TEST_PG_URL='$CONFMAN_TEST_PG_URL'"
else
    confman_pg_start
fi
