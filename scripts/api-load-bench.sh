#!/usr/bin/env bash
# Load benchmark of son1k-api with a separate load generator (wrk, Debian's package).
#
# Starts the release server on 127.0.0.1 (loopback only), seeds it through its own API (a FREE
# user; a paid user, made paid by a signed webhook, whose selected generations fill the community
# pool), then drives three endpoints for BENCH_SECONDS each with BENCH_CONNECTIONS connections:
#   limits  GET  /api/tiers/limits/{user}    (reads the tier and the period's counter)
#   usage   POST /api/usage                  (a new generation UUID per request; FREE: 3 a day,
#                                             then 429 from the atomic limit statement)
#   claim   POST /api/community/pool/claim   (FREE: 3 claims a day, then 429, same pattern)
# and prints requests/s, p50/p99 latency and the answer codes, on SQLite and, when Debian's
# postgresql is installed (or BENCH_POSTGRES=1), on PostgreSQL. Every run is bounded in time and
# stops by itself. Server, database and wrk share the machine's cores, so other work running at the
# same time shows in the figures (the load average is printed). Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (16), BENCH_THREADS (2),
# BENCH_POSTGRES (auto|0|1), BENCH_POOL_SIZE (the server's SON1K_DB_POOL_SIZE; unset: its default),
# CARGO, CARGO_TARGET_DIR. After each backend it prints the database pool the server ran with (read
# from its /metrics) and, on PostgreSQL, the plans of the statements the three endpoints run.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${BENCH_SECONDS:-10}"
CONNS="${BENCH_CONNECTIONS:-16}"
THREADS="${BENCH_THREADS:-2}"
CARGO="${CARGO:-cargo}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

for tool in wrk curl python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench: installing $tool"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$tool" >/dev/null
  fi
done

"$CARGO" build --release -q -p son1k-api
bin="${CARGO_TARGET_DIR:-target}/release/son1k-api"

work="$(mktemp -d)"
server_pid=""
pg_prefix=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_prefix" ]; then pg_drop_prefix "$pg_prefix"; fi
  rm -rf "$work"
}
trap cleanup EXIT

METRICS_TOKEN="bench-metrics-token-$$-0123456789"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Signs up the users, makes one paid and fills the pool; writes shell variables to $work/seed.sh.
seed() {
  python3 scripts/api-seed.py "$1" whsec_bench "$work/seed.sh"
}

# Runs wrk and prints one line: name, req/s, p50, p99, answer codes.
drive() {
  local name="$1" script="$2" url="$3" backend="$4" log="$work/wrk-$4-$1.txt"
  wrk -t "$THREADS" -c "$CONNS" -d "${SECONDS_EACH}s" --timeout 5s --latency -s "$script" "$url" >"$log" 2>&1 || {
    echo "bench: wrk failed:"; cat "$log"; return 1; }
  python3 - "$log" "$backend" "$name" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s*([\d.]+)", text).group(1)
def pct(p):
    m = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
total = re.search(r"(\d+) requests in", text).group(1)
codes = re.search(r"^codes: (.*)$", text, re.M)
errors = re.search(r"Socket errors: (.*)$", text, re.M)
print(f"{sys.argv[2]:<10} {sys.argv[3]:<7} {float(rps):>9.0f} req/s  p50 {pct(50):7.2f} ms  p99 {pct(99):7.2f} ms"
      f"  ({total} requests; {codes.group(1) if codes else 'codes: ?'}"
      f"{'; socket errors: ' + errors.group(1) if errors else ''})")
PY
}

# A wrk script: method, body maker, and a tally of answer codes printed at the end.
lua() {
  cat >"$work/$1.lua" <<LUA
wrk.method = "$2"
wrk.headers["Authorization"] = "Bearer $FREE_TOKEN"
wrk.headers["Content-Type"] = "application/json"
counts = {}
local threads = {}
local n = 0
function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
function init(args) counts = {}; nonce = os.time() % 65536 end
function request()
  $3
end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, k .. "=" .. v) end
  table.sort(parts)
  io.write("codes: " .. table.concat(parts, " ") .. "\n")
end
LUA
}

run_backend() {
  local backend="$1" database_url="$2" port
  port="$(free_port)"
  local home="$work/home-$backend"
  mkdir -p "$home"
  SON1K_HOME="$home" DATABASE_URL="$database_url" STRIPE_WEBHOOK_SECRET=whsec_bench \
    SON1K_LEASE_KEY="$(printf '11%.0s' $(seq 32))" RUST_LOG=warn \
    SON1K_METRICS_TOKEN="$METRICS_TOKEN" SON1K_DB_POOL_SIZE="${BENCH_POOL_SIZE:-}" \
    "$bin" serve --addr "127.0.0.1:$port" >"$work/server-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$port/health" >/dev/null || { echo "bench: server did not start"; cat "$work/server-$backend.log"; return 1; }
  local base="http://127.0.0.1:$port"
  seed "$base"
  # shellcheck disable=SC1091
  . "$work/seed.sh"
  lua limits GET 'return wrk.format(nil, "/api/tiers/limits/'"$FREE_ID"'")'
  # A fresh generation UUID per request: thread number, start time and a per-thread counter.
  lua usage POST 'n = n + 1; return wrk.format(nil, "/api/usage", nil, string.format("{\"id\":\"%08x-%04x-4000-8000-%012x\",\"quality\":\"standard\"}", tid, nonce, n))'
  lua claim POST 'return wrk.format(nil, "/api/community/pool/claim", nil, "{}")'
  for name in limits usage claim; do
    # Warm-up, not reported: fills the connection pool and the caches.
    wrk -t "$THREADS" -c "$CONNS" -d 2s -s "$work/$name.lua" "$base" >/dev/null 2>&1 || true
    drive "$name" "$work/$name.lua" "$base" "$backend"
  done
  curl -fs -H "Authorization: Bearer $METRICS_TOKEN" "$base/metrics" | awk -v b="$backend" '
    /^db_pool_max_connections / {max = $2}
    /^db_pool_connections\{state="idle"\}/ {idle = $2}
    END {printf "%-10s pool    %s connections at most, %s open and idle after the run\n", b, max, idle}'
  if [ "$backend" = postgres ]; then pg_plans; fi
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

# The plans (with timings) of the statements behind limits, usage and claim, for the FREE user.
pg_plans() {
  local now day
  now="$(date +%s)"
  day="$(date -u +%Y-%m-%d)"
  echo "postgres   plans (EXPLAIN ANALYZE on the benchmark's database, after the run):"
  pg_as_postgres psql -X -q -p "$PG_PORT" -d "$db" -v ON_ERROR_STOP=1 <<SQL | sed 's/^/  /'
\\echo limits/usage: generations in the period (index on user_id, created_at)
EXPLAIN (ANALYZE, COSTS OFF) SELECT COUNT(*) FROM usage_records
  WHERE user_id = '$FREE_ID' AND created_at >= $((now - 86400)) AND created_at < $((now + 86400));
\\echo usage: is this generation already recorded (primary key)
EXPLAIN (ANALYZE, COSTS OFF) SELECT COUNT(*) FROM usage_records WHERE user_id = '$FREE_ID' AND id = 'x';
\\echo claim: claims of the day (primary key of claim_counters)
EXPLAIN (ANALYZE, COSTS OFF) SELECT used FROM claim_counters WHERE user_id = '$FREE_ID' AND day = '$day';
\\echo rows: usage_records, pool_items, claim_counters
SELECT (SELECT COUNT(*) FROM usage_records), (SELECT COUNT(*) FROM pool_items), (SELECT COUNT(*) FROM claim_counters);
SQL
}

echo "son1k-api load benchmark: wrk -t$THREADS -c$CONNS, ${SECONDS_EACH}s per endpoint after a 2 s warm-up, release build, $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run_backend sqlite ""

want_pg="${BENCH_POSTGRES:-auto}"
if [ "$want_pg" = auto ]; then
  if dpkg -s postgresql >/dev/null 2>&1; then want_pg=1; else want_pg=0; fi
fi
if [ "$want_pg" = 1 ]; then
  . scripts/api-postgres-lib.sh
  pg_up
  pg_prefix="son1k_bench_r$$_"
  db="${pg_prefix}db"
  pg_psql -c "CREATE DATABASE $db OWNER $PG_ROLE"
  run_backend postgres "${PG_ADMIN_URL%/*}/$db"
else
  echo "postgres   skipped: Debian's postgresql is not installed (BENCH_POSTGRES=1 installs it)"
fi
