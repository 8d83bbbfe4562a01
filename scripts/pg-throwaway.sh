#!/usr/bin/env bash
# Throwaway PostgreSQL server on 127.0.0.1 for tests.
#
# Source this file from another bash script and use:
#   pg_throwaway_start        start a fresh server on a free port; sets and exports
#                             PGBIN, PGPORT, PGDIR and PG_ADMIN_URL
#   pg_throwaway_createdb N   create database N (owner postgres)
#   pg_throwaway_url N        print postgres://postgres@127.0.0.1:$PGPORT/N
#   pg_throwaway_stop         stop the server and delete its directory (idempotent)
#   free_port                 print a free TCP port on 127.0.0.1
#
# Run it directly (`scripts/pg-throwaway.sh`) to smoke-test: it starts a server,
# creates a database, runs a query, and stops it again.
#
# Uses Debian's PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin,
# package `postgresql`). As root the server runs as the `postgres` user (the
# server refuses to run as root); otherwise it runs as the current user.
# Authentication is `trust` and the server listens on 127.0.0.1 only.
#
# The functions return non-zero on failure instead of relying on `set -e`, so
# they behave the same when called from an `if` or `||` context.

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
  else
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}

_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_pg_psql() {
  local psql=psql
  [ -x "$PGBIN/psql" ] && psql="$PGBIN/psql"
  "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"
}

pg_throwaway_start() {
  # shellcheck disable=SC2012 # fixed Debian paths; sort -V picks the newest version
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
    echo "pg-throwaway: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    return 1
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "pg-throwaway: running as root but there is no 'postgres' user to run the server as" >&2
    return 1
  fi

  # A short path under /tmp: it also holds the server's unix socket (path
  # length limit) and must be reachable by the postgres user.
  PGDIR=$(mktemp -d /tmp/guanjia-pg.XXXXXX) || return 1
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PGDIR" || return 1
  fi
  chmod 700 "$PGDIR"

  # initdb/pg_ctl run as the postgres user, whose cwd must be readable by it.
  if ! (cd /tmp && _pg_as_owner "$PGBIN/initdb" -D "$PGDIR/data" -U postgres \
      --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1); then
    echo "pg-throwaway: initdb failed:" >&2
    cat "$PGDIR/initdb.log" >&2
    return 1
  fi

  # Another process may grab the port between free_port and the server's bind: retry.
  local attempt
  for attempt in 1 2 3; do
    PGPORT=$(free_port) || return 1
    if (cd /tmp && _pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null); then
      export PGBIN PGPORT PGDIR
      export PG_ADMIN_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
      return 0
    fi
    echo "pg-throwaway: server did not start on port $PGPORT (attempt $attempt):" >&2
    tail -n 20 "$PGDIR/log" >&2 2>/dev/null || true
  done
  return 1
}

pg_throwaway_url() {
  echo "postgres://postgres@127.0.0.1:$PGPORT/$1"
}

pg_throwaway_createdb() {
  _pg_psql -d postgres -c "CREATE DATABASE \"$1\""
}

pg_throwaway_stop() {
  if [ -n "${PGDIR:-}" ] && [ -d "$PGDIR" ]; then
    if [ -f "$PGDIR/data/postmaster.pid" ]; then
      (cd /tmp && _pg_as_owner "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1) || true
    fi
    rm -rf "$PGDIR"
  fi
  PGDIR=
}

# Smoke test when executed rather than sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  trap pg_throwaway_stop EXIT
  pg_throwaway_start
  echo "pg-throwaway: server up on 127.0.0.1:$PGPORT ($PGBIN)"
  pg_throwaway_createdb guanjia_smoke
  _pg_psql -d guanjia_smoke -At -c "SELECT 'pg-throwaway: ' || version()"
  dir=$PGDIR
  pg_throwaway_stop
  if [ -e "$dir" ]; then
    echo "pg-throwaway: $dir was not removed" >&2
    exit 1
  fi
  echo "pg-throwaway: stopped and removed; OK"
fi
