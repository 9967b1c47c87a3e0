#!/usr/bin/env bash
# Property-based API fuzzing of son1k-api with schemathesis (PyPI) against its own /openapi.json:
# every operation, positive and negative inputs, with a valid bearer token. Passes when no answer
# is a 5xx (check `not_a_server_error`; ST_CHECKS=all runs every check for information).
#
# The server runs on 127.0.0.1 with a fresh SQLite database seeded through the API
# (scripts/api-seed.py), a webhook secret, and a loopback
# stand-in for Stripe's API, so the payment routes answer as in production instead of with the
# deliberate 503 "payments not configured". Environment: ST_MAX_EXAMPLES (default 60 per
# operation), ST_SEED, ST_CHECKS (default not_a_server_error), CARGO, CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO="${CARGO:-cargo}"

for tool in python3 curl; do
  if ! command -v "$tool" >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$tool" >/dev/null
  fi
done
# schemathesis from PyPI: the one on PATH, else a virtual environment of our own (Debian's python3
# refuses system-wide pip installs).
if ! command -v schemathesis >/dev/null; then
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/son1k-schemathesis"
  if [ ! -x "$venv/bin/schemathesis" ]; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis
  fi
  PATH="$venv/bin:$PATH"
fi
# The binary from the workspace's test build (the same features as `make test`'s other steps,
# so nothing is compiled again).
"$CARGO" test -q --workspace --no-run
bin="${CARGO_TARGET_DIR:-target}/debug/son1k-api"

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Stripe stand-in: answers checkout session creation like Stripe's API does.
stripe_port="$(free_port)"
python3 - "$stripe_port" <<'PY' >"$work/stripe.log" 2>&1 &
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"id": "cs_test_st", "url": "https://checkout.stripe.test/c/pay/cs_test_st"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
pids+=($!)

port="$(free_port)"
SON1K_HOME="$work/home" STRIPE_SECRET_KEY=sk_test_schemathesis STRIPE_WEBHOOK_SECRET=whsec_schemathesis \
  STRIPE_API_BASE="http://127.0.0.1:$stripe_port" RUST_LOG=warn \
  "$bin" serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pids+=($!)
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/health" >/dev/null && break; sleep 0.1; done
curl -fs "$base/health" >/dev/null || { echo "schemathesis: server did not start"; cat "$work/server.log"; exit 1; }

# A FREE caller (the token every request carries), a paid contributor and pool items, so the
# user- and item-scoped routes get past 403/404 to their real logic.
python3 scripts/api-seed.py "$base" whsec_schemathesis "$work/seed.sh"
# shellcheck disable=SC1091
. "$work/seed.sh"
cat >"$work/schemathesis.toml" <<TOML
[parameters]
"path.user" = "$FREE_ID"
"path.item_id" = "$ITEM_ID"
TOML

start=$(date +%s)
rc=0
# From the scratch folder, so its caches (.schemathesis/) stay out of the work tree.
(cd "$work" && schemathesis --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
  --checks "${ST_CHECKS:-not_a_server_error}" \
  --header "Authorization: Bearer $FREE_TOKEN" \
  --max-examples "${ST_MAX_EXAMPLES:-60}" \
  ${ST_SEED:+--seed "$ST_SEED"} \
  --phases examples,coverage,fuzzing \
  --generation-database none \
  --request-timeout 20 \
  --no-color) || rc=$?
echo "schemathesis: finished in $(( $(date +%s) - start )) s with exit code $rc"
if grep -q "ERROR" "$work/server.log"; then
  echo "schemathesis: the server logged errors:"; grep "ERROR" "$work/server.log" | head -20
fi
exit "$rc"
