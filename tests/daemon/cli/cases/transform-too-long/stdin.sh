# A valid event, one of exactly 1 MiB (the limit: accepted), one a byte
# longer (skipped), and a valid event after it.
python3 - <<'PY'
import json
limit = 1024 * 1024
def padded(n, event_type):
    head = {"eventType": event_type, "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "usr-1"}, "metadata": {"pad": ""}}
    text = json.dumps(head, separators=(",", ":"))
    return text.replace('"pad":""', '"pad":"' + "x" * (n - len(text)) + '"')
print(json.dumps({"eventType": "first", "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "usr-1"}}))
print(padded(limit, "at:the:limit"))
print(padded(limit + 1, "over:the:limit"))
print(json.dumps({"eventType": "after", "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "usr-1"}}))
PY
