#!/usr/bin/python3
# metrics.prom read by the Prometheus project's own text-format parser
# (Debian's python3-prometheus-client), not only by our tests' regexes:
# every family with its type, every awkward label value back as it was,
# every value.
#   prometheus_parse_test.py METRICS_GENERATOR
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

text = subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout
families = {f.name: f for f in text_string_to_metric_families(text)}

# The parser names a counter family without its _total suffix.
expected_types = {
    "hookwarden_build_info": "gauge",
    "hookwarden_items": "gauge",
    "hookwarden_cycle_duration_seconds": "gauge",
    "hookwarden_cycle_last_outcome": "gauge",
    "hookwarden_cycles": "counter",
    "hookwarden_last_success_timestamp_seconds": "gauge",
    "hookwarden_changes": "counter",
    "hookwarden_api_requests": "counter",
    "hookwarden_api_rate_limited": "counter",
    "hookwarden_snapshot_failures": "counter",
    "hookwarden_webhook_delivery_success": "gauge",
    "hookwarden_webhook_delivery_failure": "gauge",
    "hookwarden_webhook_delivery_failure_ratio": "gauge",
}
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


check(set(families) == set(expected_types), f"families: {sorted(families)}")
for name, kind in expected_types.items():
    if name in families:
        check(families[name].type == kind, f"{name} is a {families[name].type}, not a {kind}")
        check(families[name].documentation != "", f"{name} has no HELP")


def samples(family):
    return {tuple(sorted(s.labels.items())): s.value for s in families[family].samples}


check(samples("hookwarden_build_info") == {(("version", '0.9.0~rc1 "dev"'),): 1.0}, "build_info")
items = samples("hookwarden_items")
check(items[(("kind", "webhook"), ("state", "unchanged"))] == 40.0, "items unchanged")
check(items[(("kind", "webhook"), ("state", "deferred"))] == 2.0, "items deferred")
check(items[(("kind", "trigger"), ("state", "replaced"))] == 1.0, "trigger items replaced")
check(items[(("kind", "trigger"), ("state", "unchanged"))] == 4.0, "trigger items unchanged")
check(items[(("kind", "webhook"), ("state", "replaced"))] == 0.0, "webhook items replaced")
check(len(items) == 20, f"items: {items}")
check(samples("hookwarden_cycle_duration_seconds") == {(): 1.5}, "duration")
check(samples("hookwarden_cycle_last_outcome") ==
      {(("outcome", "converged"),): 0.0, (("outcome", "failed"),): 1.0, (("outcome", "unreachable"),): 0.0},
      "last outcome")
check(samples("hookwarden_cycles")[(("outcome", "converged"),)] == 41.0, "cycles")
check(samples("hookwarden_last_success_timestamp_seconds") == {(): 1767312000.0}, "last success")
check(samples("hookwarden_changes")[(("action", "delete"),)] == 2.0, "changes")
check(samples("hookwarden_api_requests")[(("class", "3xx"),)] == 0.0, "requests 3xx")
check(samples("hookwarden_api_requests")[(("class", "2xx"),)] == 1234.0, "requests 2xx")
check(samples("hookwarden_api_rate_limited") == {(): 4.0}, "429s")
check(samples("hookwarden_snapshot_failures") == {(): 0.0}, "snapshot failures")

success = samples("hookwarden_webhook_delivery_success")
check(success == {(("name", 'Quote "this"'),): 12.0, (("name", "C:\\path\\to"),): 1.0,
                  (("name", "two\nlines"),): 0.0, (("name", "Café ☕ 配信"),): 100.0, (("name", "Idle"),): 0.0},
      f"delivery success: {success}")
failure = samples("hookwarden_webhook_delivery_failure")
check(failure[(("name", "two\nlines"),)] == 7.0, "delivery failure")
ratio = samples("hookwarden_webhook_delivery_failure_ratio")
check(ratio == {(("name", 'Quote "this"'),): 0.2, (("name", "C:\\path\\to"),): 0.5,
                (("name", "two\nlines"),): 1.0, (("name", "Café ☕ 配信"),): 0.0},
      f"failure ratio (none for Idle): {ratio}")

if failures:
    print("metrics.prom as the Prometheus parser reads it is wrong:", *failures, sep="\n  ")
    print(text)
    sys.exit(1)
print(f"prometheus_client parsed {len(families)} families, every value as written")
