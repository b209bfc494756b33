#!/usr/bin/env python3
"""contrib/grafana/hookwarden-dashboard.json is a dashboard Grafana imports
(schemaVersion >= 36, one ${DS_PROMETHEUS} datasource input) whose PromQL uses
only the metric names metrics.prom writes (the issue 12 contract), so a
renamed metric cannot leave a panel silently empty.

    grafana_dashboard_test.py DASHBOARD.json
"""
import json
import re
import sys

# The families of stateDir/metrics.prom (README "metrics.prom"). Keep in step.
METRICS = {
    "hookwarden_build_info",
    "hookwarden_items",
    "hookwarden_cycle_duration_seconds",
    "hookwarden_cycle_last_outcome",
    "hookwarden_cycles_total",
    "hookwarden_last_success_timestamp_seconds",
    "hookwarden_changes_total",
    "hookwarden_api_requests_total",
    "hookwarden_api_rate_limited_total",
    "hookwarden_snapshot_failures_total",
    "hookwarden_webhook_delivery_success",
    "hookwarden_webhook_delivery_failure",
    "hookwarden_webhook_delivery_failure_ratio",
}

# PromQL words that are not metric names: functions, aggregations, keywords.
PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "topk", "bottomk", "by", "without", "on", "ignoring",
    "group_left", "group_right", "bool", "and", "or", "unless", "offset", "rate", "irate",
    "increase", "delta", "time", "clamp_min", "clamp_max", "label_values", "sort", "sort_desc",
    "absent", "max_over_time", "min_over_time", "avg_over_time", "timestamp", "vector", "scalar",
}

# Every panel must chart at least one of these, between them all of them.
REQUIRED = {
    "hookwarden_cycles_total", "hookwarden_cycle_last_outcome", "hookwarden_cycle_duration_seconds",
    "hookwarden_items", "hookwarden_last_success_timestamp_seconds",
    "hookwarden_webhook_delivery_failure_ratio", "hookwarden_api_rate_limited_total",
    "hookwarden_api_requests_total", "hookwarden_snapshot_failures_total",
}


def metric_names(expr):
    """The metric names an expression selects."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)           # label values
    text = re.sub(r"\{[^}]*\}", " ", text)                      # label matchers
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", text)  # grouping labels
    text = re.sub(r"\[[^\]]*\]", " ", text)                      # ranges ($__rate_interval)
    text = re.sub(r"\$\w+", " ", text)                           # dashboard variables
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group(0)
        if word in PROMQL_WORDS or re.fullmatch(r"\d+(e\d+)?", word):
            continue
        names.add(word)
    return names


def panels(node):
    for panel in node.get("panels", []):
        yield panel
        yield from panels(panel)


def main(path):
    # The extraction itself, on the shapes the dashboard uses.
    assert metric_names('sum by (class) (rate(a_total{x=~"y|z"}[$__rate_interval]))') == {"a_total"}
    assert metric_names('time() - max(b_seconds{i=~"$instance"})') == {"b_seconds"}
    assert metric_names('topk(10, c_ratio) or d_info') == {"c_ratio", "d_info"}
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
    problems = []
    if dashboard.get("schemaVersion", 0) < 36:
        problems.append(f"schemaVersion {dashboard.get('schemaVersion')} is below 36")
    inputs = [i for i in dashboard.get("__inputs", []) if i.get("name") == "DS_PROMETHEUS"]
    if not inputs or inputs[0].get("pluginId") != "prometheus":
        problems.append("no DS_PROMETHEUS datasource input of plugin prometheus")

    used = set()
    expressions = 0
    for panel in panels(dashboard):
        if panel.get("type") == "row":
            continue
        title = panel.get("title", "?")
        if panel.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            problems.append(f"panel '{title}': datasource is not ${{DS_PROMETHEUS}}")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"panel '{title}': no query")
        for target in targets:
            expr = target.get("expr", "")
            expressions += 1
            names = metric_names(expr)
            if not names:
                problems.append(f"panel '{title}': '{expr}' selects no metric")
            for name in sorted(names - METRICS):
                problems.append(f"panel '{title}': '{name}' is not a metric metrics.prom writes")
            used |= names
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        query = query.get("query", "") if isinstance(query, dict) else (query or "")
        for name in re.findall(r"label_values\((\w+)", query):
            if name not in METRICS:
                problems.append(f"variable '{variable.get('name')}': '{name}' is not a metric metrics.prom writes")
    for name in sorted(REQUIRED - used):
        problems.append(f"no panel shows {name}")

    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{path}: {expressions} queries over {len(used)} metrics, all of them in metrics.prom")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
