#!/usr/bin/env bash
# Import benchmark: 50,000 rooms, then 50,000 customers moved into them, through
# the HTTP API of a release server on a fresh demo database on 127.0.0.1.
# Prints the time from upload to the job's completion for each.
#
#   bench/import.sh [ROWS]        (default 50000; needs `cargo build --release`
#                                  and `cd e2e && npm ci` for the workbook writer)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-50000}
BIN=target/release/guanjia
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 1; }
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
GUANJIA_DATA_DIR="$WORK" GUANJIA_LISTEN="127.0.0.1:$PORT" "$BIN" serve --demo >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
node bench/gen-import.mjs rooms "$ROWS" "$WORK/rooms.xlsx" >/dev/null
node bench/gen-import.mjs customers "$ROWS" "$WORK/customers.xlsx" >/dev/null
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"demo1234","token":true}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
run() { # run KIND FILE
  local start end job status
  start=$(date +%s.%N)
  job=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/imports" -H "Authorization: Bearer $TOKEN" \
    -F kind="$1" -F mode=all_or_nothing -F file=@"$2" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
  while :; do
    status=$(curl -fs "http://127.0.0.1:$PORT/api/v1/imports/$job" -H "Authorization: Bearer $TOKEN")
    echo "$status" | grep -q '"status":"running"' || break
    sleep 0.2
  done
  end=$(date +%s.%N)
  printf '%-10s %6s rows  %6.2f s  %s\n' "$1" "$ROWS" "$(python3 -c "print($end - $start)")" \
    "$(echo "$status" | python3 -c 'import json,sys;j=json.load(sys.stdin);print("imported",j["imported"],"errors",j["error_count"],j["status"])')"
}
run rooms "$WORK/rooms.xlsx"
run customers "$WORK/customers.xlsx"
echo "server RSS: $(ps -o rss= -p $SERVER | awk '{printf "%.0f MB", $1/1024}')"
