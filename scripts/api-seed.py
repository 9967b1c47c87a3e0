#!/usr/bin/env python3
"""Seeds a running son1k-api through its own HTTP API (for the load benchmark and schemathesis).

Usage: api-seed.py BASE_URL WEBHOOK_SECRET OUT_FILE

Signs up a FREE user and a paid one (STUDIO, through a correctly signed Stripe webhook), records
the paid user's generations until the server has selected five for the pool (so the community pool
has items), and writes shell assignments FREE_ID, FREE_TOKEN, PAID_ID, PAID_TOKEN, ITEM_ID to
OUT_FILE. Standard library only.
"""
import hashlib, hmac, json, sys, time, urllib.request, urllib.error, uuid
base, secret, out = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
def call(method, path, body=None, token=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token: req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items(): req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r: return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e: return e.code, json.loads(e.read() or b"null")
def signup():
    s, v = call("POST", "/api/auth/signup", {"email": f"bench-{uuid.uuid4().hex}@example.com", "password": "bench password 123"})
    assert s == 201, (s, v)
    return v
free, paid = signup(), signup()
event = json.dumps({"id": "evt_seed_" + uuid.uuid4().hex, "type": "customer.subscription.created",
    "created": int(time.time()) - 10, "data": {"object": {"id": "sub_" + uuid.uuid4().hex, "customer": "cus_" + uuid.uuid4().hex,
    "status": "active", "metadata": {"user_id": paid["user_id"], "tier": "STUDIO"}}}}).encode()
t = int(time.time())
sig = hmac.new(secret, f"{t}.".encode() + event, hashlib.sha256).hexdigest()
s, v = call("POST", "/api/tiers/webhook", event, headers={"Stripe-Signature": f"t={t},v1={sig}"})
assert s == 200, (s, v)
# The pool's 5% is chosen by the server (an HMAC under its secret), so record generations until
# the server says five of them entered the pool (about 100 of the STUDIO tier's 1000).
items = []
for _ in range(1000):
    if len(items) == 5: break
    i = str(uuid.uuid4())
    s, v = call("POST", "/api/usage", {"id": i, "quality": "standard", "genre": "pop", "title": "seeded"}, paid["access_token"])
    assert s in (200, 201), (s, v)
    if v["pool_selected"]: items.append(i)
assert len(items) == 5, f"only {len(items)} of the recorded generations entered the pool"
with open(out, "w") as f:
    f.write(f"FREE_ID={free['user_id']}\nFREE_TOKEN={free['access_token']}\n")
    f.write(f"PAID_ID={paid['user_id']}\nPAID_TOKEN={paid['access_token']}\nITEM_ID={items[0]}\n")
