#!/usr/bin/env bash
# The one full test command for Guanjia. Run from anywhere; it works in the repo root.
#
#   scripts/test.sh           full run (what CI runs):
#                               install missing system packages (Debian 12, as root) and e2e npm deps
#                               start a throwaway PostgreSQL on 127.0.0.1
#                               cargo fmt --check, cargo clippy -D warnings
#                               cargo test on SQLite, then on PostgreSQL
#                               browser tests (e2e/, node:test + playwright-core + /usr/bin/chromium)
#                               against `guanjia serve` on SQLite, then on PostgreSQL
#   scripts/test.sh --quick   local iteration: no apt installs, no fmt/clippy, no PostgreSQL;
#                               cargo test on SQLite + browser tests on SQLite
#
# With CI=true a missing tool (chromium, PostgreSQL server, node, ...) is an error;
# locally the stages that need it are skipped with a warning.
# Logs go to target/test-logs/; screenshots to e2e/screenshots/<backend>/.
# Exit status is non-zero if any stage failed.

set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help)
      sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"
      exit 0
      ;;
    *)
      echo "test.sh: unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

case "${CI:-}" in
  true | TRUE | True | 1 | yes) IN_CI=1 ;;
  *) IN_CI=0 ;;
esac

# The test stages set these themselves; never inherit them.
unset DATABASE_URL TEST_DATABASE_URL PG_ADMIN_URL GUANJIA_URL GUANJIA_ADMIN_PASSWORD GUANJIA_BACKEND

# shellcheck source=scripts/pg-throwaway.sh disable=SC1091
source "$ROOT/scripts/pg-throwaway.sh"

LOGDIR="$ROOT/target/test-logs"
mkdir -p "$LOGDIR"
NOTES=$(mktemp -d)

# ---------------------------------------------------------------------------
# Cleanup (runs on any exit) and stage bookkeeping
# ---------------------------------------------------------------------------

cleanup() {
  pg_throwaway_stop
  rm -rf "$NOTES"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SUMMARY=()
FAILED=0

if [ -t 1 ]; then BOLD=$'\033[1m' YELLOW=$'\033[33m' RESET=$'\033[0m'; else BOLD='' YELLOW='' RESET=''; fi
say() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
warn() { printf '%stest.sh: %s%s\n' "$YELLOW" "$*" "$RESET" >&2; }

record() { # record STATUS NAME SECONDS NOTE
  SUMMARY+=("$(printf '%-4s  %-16s %6ss  %s' "$1" "$2" "$3" "$4")")
  [ "$1" = FAIL ] && FAILED=$((FAILED + 1))
  return 0
}

# stage NAME FUNCTION [ARGS...]: run FUNCTION in a subshell with `set -e` in force,
# record PASS/FAIL and the duration, and carry on with the next stage either way.
# A stage can leave a one-line note for the summary with `note TEXT`.
stage() {
  local name=$1 rc t0=$SECONDS
  shift
  say "$name"
  rm -f "$NOTES/$name"
  set +e
  (
    set -e
    # shellcheck disable=SC2030 # deliberately local to the stage's subshell
    STAGE_NAME=$name
    "$@"
  )
  rc=$?
  set -e
  local text=""
  [ -f "$NOTES/$name" ] && text=$(cat "$NOTES/$name")
  if [ "$rc" = 0 ]; then
    record PASS "$name" $((SECONDS - t0)) "$text"
  else
    record FAIL "$name" $((SECONDS - t0)) "exit $rc${text:+; $text}"
  fi
}
# shellcheck disable=SC2031 # only called inside a stage's subshell
note() { echo "$*" >"$NOTES/$STAGE_NAME"; }
skip() { record SKIP "$1" 0 "$2"; }
notrun() { # a required stage that cannot run: fatal in CI, skipped locally
  if [ "$IN_CI" = 1 ]; then record FAIL "$1" 0 "not run: $2"; else record SKIP "$1" 0 "$2"; fi
}

# ---------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------

have_chromium() { [ -x /usr/bin/chromium ]; }
have_pg_server() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
have_cjk_fonts() { dpkg -s fonts-noto-cjk >/dev/null 2>&1; }
have_node() { command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; }
# Every npm package the browser tests import must be installed.
have_playwright() { [ -d "$ROOT/e2e/node_modules/playwright-core" ] && [ -d "$ROOT/e2e/node_modules/xlsx" ]; }

install_system_packages() {
  if have_chromium && have_pg_server && have_cjk_fonts && command -v curl >/dev/null 2>&1; then
    echo "chromium, PostgreSQL server, fonts-noto-cjk and curl are present"
    note "nothing to install"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    warn "missing system packages and not root; as root run: apt-get install chromium postgresql fonts-noto-cjk curl"
    note "not root: nothing installed"
    [ "$IN_CI" = 1 ] && return 1
    return 0 # locally the preflight check decides what is skipped
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium postgresql fonts-noto-cjk curl
  note "installed chromium postgresql fonts-noto-cjk curl"
}

install_e2e_deps() {
  if have_playwright; then
    echo "e2e/node_modules/playwright-core is present"
    note "already installed"
    return 0
  fi
  if ! have_node; then
    warn "node/npm not found: cannot install the browser test dependencies"
    note "node/npm missing"
    [ "$IN_CI" = 1 ] && return 1
    return 0 # locally the preflight check decides what is skipped
  fi
  # playwright-core never downloads a browser; the tests use /usr/bin/chromium.
  cd "$ROOT/e2e"
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
  have_playwright
}

# Sets MISSING to the tools the browser tests (and, in a full run, PostgreSQL) need.
preflight() {
  MISSING=()
  have_node || MISSING+=("node/npm (Node.js >= 20)")
  command -v curl >/dev/null 2>&1 || MISSING+=("curl")
  have_chromium || MISSING+=("/usr/bin/chromium (apt-get install chromium)")
  have_playwright || MISSING+=("e2e/node_modules/playwright-core (cd e2e && npm ci)")
  if [ "$QUICK" = 0 ]; then
    have_pg_server || MISSING+=("PostgreSQL server /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)")
    have_cjk_fonts || MISSING+=("fonts-noto-cjk (apt-get install fonts-noto-cjk)")
  fi
  [ "${#MISSING[@]}" = 0 ]
}

cargo_fmt() { cargo fmt --all -- --check; }
cargo_clippy() { cargo clippy --workspace --all-targets -- -D warnings; }

# Sum the counts of every "test result:" line of a cargo test log.
cargo_counts() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '
    /^test result:/ {
      for (i = 1; i <= NF; i++) {
        if ($(i+1) ~ /^passed/) p += $i
        if ($(i+1) ~ /^failed/) f += $i
        if ($(i+1) ~ /^ignored/) g += $i
      }
      n++
    }
    END { printf "%d passed, %d failed, %d ignored (%d test binaries)", p, f, g, n }'
}

cargo_tests() { # cargo_tests BACKEND
  local log="$LOGDIR/rust-$1.log" rc=0
  if [ "$1" = postgres ]; then
    export TEST_DATABASE_URL
    TEST_DATABASE_URL=$(pg_throwaway_url guanjia_test)
    echo "TEST_DATABASE_URL=$TEST_DATABASE_URL"
  fi
  cargo test --workspace --no-fail-fast 2>&1 | tee "$log" || rc=$?
  note "$(cargo_counts "$log")"
  return "$rc"
}

cargo_build_bin() { cargo build -p guanjia; }

stop_server() { # SIGTERM, then SIGKILL after 10 s
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

e2e_tests() { # e2e_tests BACKEND
  local backend=$1 port data log url pid password=""
  port=$(free_port)
  data=$(mktemp -d /tmp/guanjia-e2e-data.XXXXXX)
  log="$LOGDIR/server-$backend.log"
  url="http://127.0.0.1:$port"

  local mport
  mport=$(free_port)
  local -a env_vars=("GUANJIA_LISTEN=127.0.0.1:$port" "GUANJIA_DATA_DIR=$data" "GUANJIA_METRICS_LISTEN=127.0.0.1:$mport")
  if [ "$backend" = postgres ]; then
    env_vars+=("DATABASE_URL=$(pg_throwaway_url guanjia_e2e)")
  fi
  echo "starting: ${env_vars[*]} target/debug/guanjia serve  (log: $log)"
  env "${env_vars[@]}" "$ROOT/target/debug/guanjia" serve >"$log" 2>&1 &
  pid=$!
  # shellcheck disable=SC2064 # expand now: this subshell's own values
  trap "stop_server $pid; rm -rf '$data'" EXIT

  local up=0
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null; then
      up=1
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "guanjia serve exited before answering /healthz; its log:" >&2
      cat "$log" >&2
      note "server exited at startup"
      return 1
    fi
    sleep 0.5
  done
  if [ "$up" = 0 ]; then
    echo "guanjia serve did not answer $url/healthz within 60 s; its log:" >&2
    cat "$log" >&2
    note "server not healthy within 60 s"
    return 1
  fi
  echo "server healthy at $url"

  # On a fresh database the server prints: 初始管理员: admin 一次性密码: <password>
  for _ in $(seq 1 20); do
    password=$(sed 's/\x1b\[[0-9;]*m//g' "$log" |
      sed -En 's/.*一次性密码(:|：)[[:space:]]*([^[:space:]]+).*/\2/p' | tail -n 1)
    [ -n "$password" ] && break
    sleep 0.25
  done
  if [ -z "$password" ]; then
    warn "no '初始管理员: admin 一次性密码: …' line in $log; tests that log in will fail"
  fi

  export GUANJIA_URL="$url"
  export GUANJIA_ADMIN_PASSWORD="$password"
  export GUANJIA_BACKEND="$backend"
  export SCREENSHOT_DIR="$ROOT/e2e/screenshots/$backend"
  rm -rf "$SCREENSHOT_DIR"
  mkdir -p "$SCREENSHOT_DIR"

  local tlog="$LOGDIR/e2e-$backend.log" rc=0
  (cd "$ROOT/e2e" && timeout 1200 node --test --test-concurrency=1 tests/*.test.mjs) 2>&1 | tee "$tlog" || rc=$?
  note "$(sed -En 's/^(# |ℹ )(pass|fail) ([0-9]+)$/\3 \2ed/p' "$tlog" | paste -sd, | sed 's/,/, /')"
  # The Prometheus listener counted the journeys' requests.
  if ! curl -fsS --max-time 5 "http://127.0.0.1:$mport/metrics" | grep -q '^http_requests_total'; then
    echo "the metrics listener on 127.0.0.1:$mport did not report http_requests_total" >&2
    note "metrics listener silent"
    rc=1
  fi
  if [ "$rc" != 0 ]; then
    echo "--- last 80 lines of the server log ($log) ---" >&2
    tail -n 80 "$log" >&2
  fi
  return "$rc"
}

# ---------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------

T0=$SECONDS
echo "test.sh: $([ "$QUICK" = 1 ] && echo quick || echo full) run, CI=${CI:-<unset>}, logs in target/test-logs/"

if [ "$QUICK" = 1 ]; then
  skip install "--quick"
else
  stage install install_system_packages
fi
stage e2e-deps install_e2e_deps
say preflight
TOOLS_OK=1
if preflight; then
  echo "node $(node --version), $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
  record PASS preflight 0 "all tools present"
else
  TOOLS_OK=0
  echo "missing:" >&2
  printf '  - %s\n' "${MISSING[@]}" >&2
  if [ "$IN_CI" = 1 ]; then
    record FAIL preflight 0 "missing: ${MISSING[*]}"
    echo "test.sh: required tools are missing in CI (see above); refusing to skip any tests" >&2
    printf '%s\n' "${SUMMARY[@]}"
    exit 1
  fi
  record SKIP preflight 0 "missing: ${MISSING[*]}; the stages that need them are skipped"
fi

PG_OK=0
if [ "$QUICK" = 1 ]; then
  skip postgres "--quick"
elif ! have_pg_server; then
  notrun postgres "no PostgreSQL server binaries"
else
  say postgres
  t0=$SECONDS
  if pg_throwaway_start && pg_throwaway_createdb guanjia_test && pg_throwaway_createdb guanjia_e2e; then
    PG_OK=1
    echo "PostgreSQL up: $PG_ADMIN_URL"
    record PASS postgres $((SECONDS - t0)) "127.0.0.1:$PGPORT, databases guanjia_test and guanjia_e2e"
  else
    record FAIL postgres $((SECONDS - t0)) "could not start a throwaway server"
  fi
fi

if [ "$QUICK" = 1 ]; then
  skip fmt "--quick"
  skip clippy "--quick"
else
  stage fmt cargo_fmt
  stage clippy cargo_clippy
fi

stage rust-sqlite cargo_tests sqlite
if [ "$PG_OK" = 1 ]; then
  stage rust-postgres cargo_tests postgres
elif [ "$QUICK" = 1 ]; then
  skip rust-postgres "--quick"
else
  record FAIL rust-postgres 0 "not run: PostgreSQL did not start"
fi

stage build cargo_build_bin
BUILD_OK=0
[ "${SUMMARY[-1]:0:4}" = PASS ] && BUILD_OK=1

if [ "$BUILD_OK" = 0 ]; then
  record FAIL e2e-sqlite 0 "not run: build failed"
elif [ "$TOOLS_OK" = 0 ]; then
  notrun e2e-sqlite "browser test tools missing (see preflight)"
else
  stage e2e-sqlite e2e_tests sqlite
fi
if [ "$QUICK" = 1 ]; then
  skip e2e-postgres "--quick"
elif [ "$PG_OK" = 0 ]; then
  record FAIL e2e-postgres 0 "not run: PostgreSQL did not start"
elif [ "$BUILD_OK" = 0 ]; then
  record FAIL e2e-postgres 0 "not run: build failed"
elif [ "$TOOLS_OK" = 0 ]; then
  notrun e2e-postgres "browser test tools missing (see preflight)"
else
  stage e2e-postgres e2e_tests postgres
fi

printf '\n==================== test.sh summary ====================\n'
printf '%s\n' "${SUMMARY[@]}"
if [ "$FAILED" -gt 0 ]; then
  printf 'test.sh: FAILED (%d stage(s) failed) in %ss; logs in target/test-logs/\n' "$FAILED" $((SECONDS - T0))
  exit 1
fi
printf 'test.sh: all stages passed in %ss\n' $((SECONDS - T0))
