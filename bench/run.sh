#!/usr/bin/env bash
# Scale benchmark: generate a data set, start a release server on it on 127.0.0.1,
# measure its cold start, then load it with guanjia-bench and print the results.
#
#   bench/run.sh [sqlite|postgres] [S|L] [--reuse DIR] [--keep] [-- BENCH FLAGS...]
#
#   sqlite (default)  a fresh data directory in a temporary directory
#   postgres          the database at $DATABASE_URL; when it is not set, a throwaway
#                     PostgreSQL on 127.0.0.1 (scripts/pg-throwaway.sh), removed at exit
#   S (default) | L   the `guanjia gen-data --scale` size (S: P001…P008, L: P001…P200)
#   --reuse DIR       use the data directory DIR as it is: no generation (with
#                     postgres, $DATABASE_URL must hold the data already)
#   --keep            keep the temporary data directory (its path is printed)
#   -- FLAGS          passed on to guanjia-bench, e.g. -- --duration 5s --only workbench
#
# Needs `cargo build --release --workspace` (target/release/guanjia and guanjia-bench;
# GUANJIA_BIN and GUANJIA_BENCH_BIN point elsewhere) and curl. Prints the generator's
# own output, the cold start (time to the first successful GET /healthz and to the
# first GET /login page), the server's memory, and guanjia-bench's Markdown table
# (also saved as bench.json in the temporary directory, kept with --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BACKEND=sqlite SCALE=S REUSE='' KEEP=0 BENCH_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    sqlite | postgres) BACKEND=$1 ;;
    S | L) SCALE=$1 ;;
    --reuse) REUSE=${2:?--reuse needs a directory}; shift ;;
    --keep) KEEP=1 ;;
    --) shift; BENCH_ARGS=("$@"); break ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
BIN=${GUANJIA_BIN:-target/release/guanjia} BENCH=${GUANJIA_BENCH_BIN:-target/release/guanjia-bench}
for b in "$BIN" "$BENCH"; do
  [ -x "$b" ] || { echo "build first: cargo build --release --workspace ($b is missing)" >&2; exit 1; }
done
# shellcheck source=scripts/pg-throwaway.sh disable=SC1091
source "$ROOT/scripts/pg-throwaway.sh"

WORK=$(mktemp -d)
DATA=${REUSE:-$WORK/data}
SERVER=''
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  pg_throwaway_stop
  if [ "$KEEP" = 1 ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

unset GUANJIA_LISTEN GUANJIA_METRICS_LISTEN
export GUANJIA_DATA_DIR="$DATA"
if [ "$BACKEND" = postgres ]; then
  if [ -z "${DATABASE_URL:-}" ]; then
    [ -z "$REUSE" ] || { echo "run.sh: --reuse with postgres needs DATABASE_URL (a throwaway database is empty)" >&2; exit 2; }
    pg_throwaway_start && pg_throwaway_createdb guanjia_bench || exit 1
    DATABASE_URL=$(pg_throwaway_url guanjia_bench)
  fi
  export DATABASE_URL
else
  unset DATABASE_URL
fi
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f MB", $2 / 1024 }' "/proc/$1/status"; }

echo "== $BACKEND, scale $SCALE, $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ -n "$REUSE" ]; then
  echo "== reusing $DATA (no generation)"
else
  mkdir -p "$DATA"
  echo "== guanjia gen-data --scale $SCALE"
  "$BIN" gen-data --scale "$SCALE"
fi
if [ "$BACKEND" = sqlite ]; then
  echo "database: $(du -sh "$DATA" | cut -f1) in the data directory"
elif PSQL=$(command -v psql || echo "${PGBIN:-}/psql") && [ -x "$PSQL" ]; then
  echo "database: $("$PSQL" -X -At "$DATABASE_URL" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))' 2>/dev/null || echo '?')"
fi

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
START=$(now)
GUANJIA_LISTEN="127.0.0.1:$PORT" "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
HEALTHY='' LOGIN=''
for _ in $(seq 1 3000); do
  [ -n "$HEALTHY" ] || { curl -fs -o /dev/null "$URL/healthz" && HEALTHY=$(now); } || true
  [ -n "$LOGIN" ] || { curl -fs -o /dev/null "$URL/login" && LOGIN=$(now); } || true
  [ -n "$HEALTHY" ] && [ -n "$LOGIN" ] && break
  kill -0 "$SERVER" 2>/dev/null || { echo "the server stopped:" >&2; tail -n 30 "$WORK/server.log" >&2; exit 1; }
  sleep 0.01
done
[ -n "$HEALTHY" ] && [ -n "$LOGIN" ] || { echo "the server did not answer within a minute:" >&2; tail -n 30 "$WORK/server.log" >&2; exit 1; }
echo "cold start: first GET /healthz $(secs "$START" "$HEALTHY") s, first GET /login $(secs "$START" "$LOGIN") s; RSS $(rss_mb "$SERVER")"
echo
STATUS=0
"$BENCH" --url "$URL" --pid "$SERVER" --json "$WORK/bench.json" ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"} || STATUS=$?
echo
echo "server RSS after the run: $(rss_mb "$SERVER")"
exit "$STATUS"
