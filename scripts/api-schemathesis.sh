#!/usr/bin/env bash
# Property-based API fuzzing of son1k-api with schemathesis (PyPI) against its own /openapi.json:
# every operation, positive and negative inputs, with a valid bearer token. Passes when no answer
# is a 5xx (check `not_a_server_error`; ST_CHECKS=all runs every check for information).
#
# The server runs on 127.0.0.1 with a fresh SQLite database, a webhook secret, and a loopback
# stand-in for Stripe's API, so the payment routes answer as in production instead of with the
# deliberate 503 "payments not configured". Environment: ST_MAX_EXAMPLES (default 60 per
# operation), ST_SEED, ST_CHECKS (default not_a_server_error), CARGO, CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO="${CARGO:-cargo}"

command -v schemathesis >/dev/null || python3 -m pip install --quiet schemathesis
"$CARGO" build -q -p son1k-api
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

token="$(curl -fs -X POST "$base/api/auth/signup" -H 'Content-Type: application/json' \
  -d "{\"email\":\"st-$$@example.com\",\"password\":\"schemathesis pw\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

start=$(date +%s)
rc=0
schemathesis run "$base/openapi.json" \
  --checks "${ST_CHECKS:-not_a_server_error}" \
  --header "Authorization: Bearer $token" \
  --max-examples "${ST_MAX_EXAMPLES:-60}" \
  ${ST_SEED:+--seed "$ST_SEED"} \
  --phases examples,coverage,fuzzing \
  --generation-database none \
  --request-timeout 20 \
  --no-color || rc=$?
echo "schemathesis: finished in $(( $(date +%s) - start )) s with exit code $rc"
if grep -q "ERROR" "$work/server.log"; then
  echo "schemathesis: the server logged errors:"; grep "ERROR" "$work/server.log" | head -20
fi
exit "$rc"
