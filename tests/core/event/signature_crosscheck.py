#!/usr/bin/python3
# Delivery signatures (SPEC §5 "Deliveries") checked against an
# implementation nobody here wrote: Python's hmac, hashlib and base64.
#  1. our signatures of random deliveries, recomputed in Python;
#  2. signatures Python makes (one secret, two during a rotation, several
#     v1 entries, unknown versions), and tampered ones, through our verifier.
#   signature_crosscheck.py SIGNATURE_CROSSCHECK
import base64
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys

program = sys.argv[1]
seed = int.from_bytes(os.urandom(8), "little")
print(f"seed {seed}")
rng = random.Random(seed)
failures = []


def mac(secret: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()


def check(condition, what):
    if not condition:
        failures.append(what)


# 1. Ours, recomputed.
signed = subprocess.run([program, "sign", str(seed), "200"], check=True, capture_output=True, text=True).stdout
count = 0
for line in signed.splitlines():
    d = json.loads(line)
    secret, body = base64.b64decode(d["secret"]), base64.b64decode(d["body"])
    check(d["hub"] == "sha256=" + mac(secret, body), f"X-Hub-Signature-256 of {d['id']}")
    message = d["id"].encode() + b"." + d["timestamp"].encode() + b"." + body
    check(d["signature"] == "v1," + mac(secret, message), f"webhook-signature of {d['id']}")
    count += 1
check(count == 200, f"{count} signed deliveries instead of 200")

# 2. Python's, verified by ours: (request, expected verdict).
cases = []
b64 = lambda b: base64.b64encode(b).decode()
for i in range(200):
    secret = rng.randbytes(rng.randint(1, 64))
    old = rng.randbytes(rng.randint(1, 64))
    body = rng.randbytes(rng.randint(0, 2000))
    msg_id = f"msg_{rng.getrandbits(64)}"
    now = rng.randint(1_000_000_000, 4_000_000_000)
    tolerance = rng.choice([1, 60, 300])
    ts = now + rng.randint(-tolerance, tolerance)
    v1 = lambda key, t=ts: "v1," + mac(key, f"{msg_id}.{t}.".encode() + body)
    base = {"secrets": [b64(secret), b64(old)], "body": b64(body), "now": now, "tolerance": tolerance}
    sw = lambda sig, t=ts: {"webhook-id": msg_id, "webhook-timestamp": str(t), "webhook-signature": sig}
    cases.append(({**base, "headers": sw(v1(secret))}, "accepted standard-webhooks 0"))
    cases.append(({**base, "headers": sw(v1(old))}, "accepted standard-webhooks 1"))
    cases.append(({**base, "headers": sw(f"v1a,{b64(rng.randbytes(64))} {v1(old)} {v1(secret)}")},
                  "accepted standard-webhooks 0"))
    cases.append(({**base, "headers": {"x-hub-signature-256": "sha256=" + mac(secret, body)}},
                  "accepted x-hub-signature-256 0"))
    cases.append(({**base, "headers": {"x-hub-signature-256": "sha256=" + mac(old, body)}},
                  "accepted x-hub-signature-256 1"))
    if body:
        tampered = bytearray(body)
        tampered[rng.randrange(len(tampered))] ^= 1 << rng.randrange(8)
        cases.append(({**base, "body": b64(bytes(tampered)), "headers": sw(v1(secret))}, "refused 401"))
    cases.append(({**base, "headers": sw(v1(rng.randbytes(16)))}, "refused 401"))
    cases.append(({**base, "headers": sw(v1(secret)[:-2])}, "refused 401"))
    stale = now - tolerance - rng.randint(1, 10_000)
    cases.append(({**base, "headers": sw(v1(secret, stale), stale)}, "refused 400"))
    future = now + tolerance + rng.randint(1, 10_000)
    cases.append(({**base, "headers": sw(v1(secret, future), future)}, "refused 400"))

verdicts = subprocess.run([program, "verify"], input="".join(json.dumps(c) + "\n" for c, _ in cases),
                          check=True, capture_output=True, text=True).stdout.splitlines()
check(len(verdicts) == len(cases), f"{len(verdicts)} verdicts for {len(cases)} deliveries")
for (case, expected), verdict in zip(cases, verdicts):
    check(verdict == expected, f"{verdict!r} instead of {expected!r} for {json.dumps(case['headers'])}")

for failure in failures[:20]:
    print("FAIL:", failure)
print(f"{count} of our signatures recomputed, {len(cases)} of Python's verified, {len(failures)} failures")
sys.exit(1 if failures else 0)
