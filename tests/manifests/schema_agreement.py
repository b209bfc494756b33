#!/usr/bin/env python3
"""The JSON Schema and the manifest loader must agree (ctest: manifests.schema_agreement).

Every case of tests/manifests/schema_corpus (one file, one case; good/ holds what
the loader accepts, bad/ what it refuses) and every shipped example is judged
twice, with nothing shared between the two judges:

- a real JSON Schema 2020-12 validator: python3-jsonschema's Draft202012Validator,
  with format assertion (python3-rfc3987 checks "uri"), over each YAML document
  read as YAML 1.2 and turned into JSON;
- `hookwarden validate` on a scratch directory holding only that file, with the
  default config (allowInsecureEndpoints: false).

Any disagreement fails the test unless EXCEPTIONS below lists the case with the
reason; an exception that no longer disagrees fails too, so the list stays true.
Two generated sweeps, many documents in one file, judge the two long patterns
the same way: about 4,500 retryInterval strings around every bound, and 3,000
endpoint URLs strung from the pieces URL parsers trip on. On disagreement the
case, the schema's error (its path) and the loader's lines are printed.

Usage: schema_agreement.py --hookwarden BIN --source-dir DIR [--verbose]
"""

import argparse
import concurrent.futures
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import jsonschema
    import yaml
    from jsonschema import Draft202012Validator
except ImportError as e:  # the packages contrib/install-deps installs
    sys.exit(f"schema_agreement: {e}: install python3-jsonschema and python3-yaml (contrib/install-deps)")


# Cases where the two judges disagree on purpose, each with its reason.
# Keys are paths below the corpus directory.
EXCEPTIONS = {}

_YAML_TEXT_FOR_STRINGS = (
    "YAML typing: the loader reads any plain scalar as text where a field wants text (yaml-cpp keeps "
    "the characters), while a JSON Schema sees the number or boolean YAML 1.2 makes of it. The "
    "schema stays strict, as YAML-aware editors read it; quoting the value satisfies both."
)
_YAML_DECIMAL_ONLY = (
    "YAML typing: the loader takes whole numbers written in decimal digits only, and refuses "
    "the other forms YAML 1.2 reads as numbers (3.0, 6e1, 0x3, +3); JSON has only the value, "
    "and JSON Schema counts 3.0 and 60.0 as integers."
)
_YAML_AMBIGUOUS_SCALAR = (
    "YAML typing: the loader refuses a plain match value that YAML readers disagree about or "
    "that JSON cannot write as it stands (yes, 0x1F, 012), and asks for quotes or decimal; "
    "the JSON document has only the value one reader made of it, which the schema must accept."
)
_ACROSS_DOCUMENTS = (
    "Beyond one document: names are unique per kind across the whole directory; a JSON Schema "
    "sees one document at a time."
)
_CARRY_OVER = (
    "Arithmetic: SPEC allows any retryInterval from PT1S to P1D, and the loader adds the units up "
    "(PT1H90M is 2 h 30 min). A regular expression of sane size cannot, so the schema's pattern "
    "lets only the first unit pass its carry-over point (PT90M, not PT1H90M) and refuses the rest; "
    "an editor may flag a duration the loader takes, never the other way round."
)
_INSECURE_CONFIG = (
    "Config-dependent: the loader accepts http:// only when the config sets "
    "allowInsecureEndpoints: true, which a schema cannot see; the schema allows https:// only. "
    "With the default config both refuse (checked); with that setting only the loader accepts "
    "(checked too)."
)
for case in ["webhook/good/name-plain-digits.yaml", "webhook/good/label-value-number.yaml",
             "webhook/good/secret-credential-number.yaml", "trigger/good/description-number.yaml",
             "trigger/good/name-plain-true.yaml", "trigger/good/criteria-path-number.yaml"]:
    EXCEPTIONS[case] = _YAML_TEXT_FOR_STRINGS
for case in ["webhook/bad/retries-float-whole.yaml", "webhook/bad/retries-hex.yaml",
             "webhook/bad/retries-plus.yaml", "trigger/bad/ttl-exponent.yaml"]:
    EXCEPTIONS[case] = _YAML_DECIMAL_ONLY
for case in ["trigger/bad/criteria-value-yes.yaml", "trigger/bad/criteria-value-hex.yaml",
             "trigger/bad/criteria-value-leading-zero.yaml"]:
    EXCEPTIONS[case] = _YAML_AMBIGUOUS_SCALAR
for case in ["webhook/bad/duplicate-name.yaml", "trigger/bad/duplicate-name.yaml"]:
    EXCEPTIONS[case] = _ACROSS_DOCUMENTS
for case in ["webhook/good/interval-P0DT24H.yaml", "webhook/good/interval-PT0H1440M.yaml",
             "webhook/good/interval-PT1H90M.yaml", "webhook/good/interval-PT1M60S.yaml",
             "webhook/good/interval-PT23H60M.yaml"]:
    EXCEPTIONS[case] = _CARRY_OVER


def carries_over(interval):
    """True when a unit after the first of a well-formed duration passes its
    carry-over point (24 hours, 60 minutes, 60 seconds): the _CARRY_OVER case."""
    units = re.findall(r"(\d+)([DHMS])", interval)
    limits = {"D": None, "H": 24, "M": 60, "S": 60}
    return any(limits[u] is not None and int(v) >= limits[u] for v, u in units[1:])

# Agree under the default config, and disagree under allowInsecureEndpoints: true.
INSECURE_ONLY = {
    "webhook/bad/url-http.yaml": _INSECURE_CONFIG,
    "webhook/bad/url-http-localhost.yaml": _INSECURE_CONFIG,
}

DEFAULT_CONFIG = "tenant: {environment: mypurecloud.com}\nallowInsecureEndpoints: false\n"
INSECURE_CONFIG = "tenant: {environment: mypurecloud.com}\nallowInsecureEndpoints: true\n"


# ------------------------------------------------------------------ YAML 1.2

class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1: yes/no/on/off are booleans, 2024-01-31 a date,
    1:30 the number 90 and `<<` a merge key. yaml-cpp, the loader's reader, and
    YAML-aware editors read YAML 1.2, so this loader resolves plain scalars by
    the YAML 1.2 core schema instead, and refuses duplicate keys as YAML 1.2
    requires (PyYAML keeps the last one silently)."""

    yaml_implicit_resolvers = {}

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _add_core_resolvers():
    core = [
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
        ("tag:yaml.org,2002:float",
         r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
         r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+.0123456789")),
    ]
    for tag, pattern, first in core:
        Yaml12Loader.add_implicit_resolver(tag, re.compile(pattern), first)


_add_core_resolvers()


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)  # YAML 1.2: 012 is twelve, not octal


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Yaml12Loader.add_constructor(
    "tag:yaml.org,2002:float", lambda loader, node: float(loader.construct_scalar(node).lower()
                                                          .replace(".inf", "inf").replace(".nan", "nan")))


class NotJson(Exception):
    pass


def as_json(value):
    """The JSON value of a YAML document; NotJson when it has none (a
    non-finite number, a key that is not text)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotJson(f"key {key!r} is not text")
            out[key] = as_json(item)
        return out
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise NotJson(f"{value} is not a JSON number")
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise NotJson(f"{type(value).__name__} {value!r} has no JSON form")


# ------------------------------------------------------------------ the schema's verdict

class SchemaJudge:
    def __init__(self, schema_path):
        schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        checker = Draft202012Validator.FORMAT_CHECKER
        if "uri" not in checker.checkers:
            sys.exit("schema_agreement: jsonschema cannot check format 'uri' without "
                     "python3-rfc3987 (contrib/install-deps)")
        self.with_formats = Draft202012Validator(schema, format_checker=checker)
        # 2020-12 makes format an annotation unless a validator opts in, and most
        # editors do not: the schema must give the same verdict without it.
        self.without_formats = Draft202012Validator(schema)
        # Only to explain a refusal: the branch of the document's kind alone,
        # whose errors carry their own paths (oneOf's hide them inside it).
        self.explainers = {}
        for kind in ("Webhook", "Trigger"):
            branch = {key: value for key, value in schema.items() if key != "oneOf"}
            branch["$ref"] = f"#/$defs/{kind.lower()}"
            self.explainers[kind] = Draft202012Validator(branch, format_checker=checker)

    def judge(self, text):
        """(accepted, problems, format_dependent): problems are one line each."""
        try:
            documents = [d for d in yaml.load_all(text, Loader=Yaml12Loader) if d is not None]
        except yaml.YAMLError as e:
            return False, [f"YAML: {str(e).splitlines()[0]}"], False
        problems = []
        format_dependent = False
        for index, document in enumerate(documents):
            try:
                value = as_json(document)
            except NotJson as e:
                problems.append(f"document {index + 1}: no JSON form: {e}")
                continue
            valid = self.with_formats.is_valid(value)
            if self.without_formats.is_valid(value) != valid:
                format_dependent = True
            if not valid:
                problems += [f"document {index + 1}: {problem}" for problem in self.explain(value)]
        return not problems, problems, format_dependent

    def explain(self, document):
        """A refused document's errors, one line each, the path first."""
        kind = document.get("kind") if isinstance(document, dict) else None
        explainer = self.explainers.get(kind) if isinstance(kind, str) else None
        errors = list(explainer.iter_errors(document)) if explainer else []
        if not errors:
            errors = [jsonschema.exceptions.best_match(self.with_formats.iter_errors(document))]
        lines = []
        for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))[:3]:
            where = "/" + "/".join(str(p) for p in error.absolute_path)
            message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
            lines.append(f"{where}: {message}")
        return lines


# ------------------------------------------------------------------ the loader's verdict

class LoaderJudge:
    def __init__(self, hookwarden, scratch):
        self.hookwarden = hookwarden
        self.scratch = Path(scratch)
        self.configs = {}
        for name, text in (("default", DEFAULT_CONFIG), ("insecure", INSECURE_CONFIG)):
            path = self.scratch / f"{name}.yaml"
            path.write_text(text, encoding="utf-8")
            self.configs[name] = path
        self.env = {k: v for k, v in os.environ.items() if k != "HOOKWARDEN_CONFIG"}
        self.counter = itertools.count()

    def judge(self, text, config="default", filename="case.yaml"):
        """(accepted, stderr lines): `hookwarden validate` on a directory holding only `text`."""
        directory = self.scratch / f"case{next(self.counter)}"
        directory.mkdir()
        (directory / filename).write_text(text, encoding="utf-8")
        run = subprocess.run([self.hookwarden, "--config", str(self.configs[config]), "validate", str(directory)],
                             capture_output=True, text=True, env=self.env, timeout=60)
        if run.returncode not in (0, 1):
            raise RuntimeError(f"hookwarden validate exited {run.returncode}: {run.stderr.strip()}")
        lines = [line.replace(str(directory) + "/", "") for line in run.stderr.splitlines()]
        return run.returncode == 0, lines


def verdict(accepted):
    return "accepts" if accepted else "refuses"


# ------------------------------------------------------------------ sweeps

def sweep_intervals():
    """Durations around every bound of the pattern: each unit absent, zero, at,
    below and above its limits, with leading zeros up to and past nine digits,
    plus malformed neighbours."""
    days = [None, "0", "1", "2", "01", "000000001", "0000000001"]
    hours = [None, "0", "1", "23", "24", "25", "00", "000000024"]
    minutes = [None, "0", "1", "59", "60", "1439", "1440", "1441"]
    seconds = [None, "0", "1", "59", "60", "86399", "86400", "86401", "000086400", "0000000001"]
    out = []
    for d, h, m, s in itertools.product(days, hours, minutes, seconds):
        text = "P" + (f"{d}D" if d is not None else "")
        time = "".join(f"{v}{u}" for v, u in ((h, "H"), (m, "M"), (s, "S")) if v is not None)
        if time:
            text += "T" + time
        out.append(text)
    out += ["P1DT", "PT", "P", "PT1.5S", "P1W", "P1M", "P1Y", "PT1D", "P1H", "PT1S1M", "pt1s", "PT1s",
            "P1DT1D", "PT1H1H", "PTT1S", "P1D1D", "PT+1S", "PT-1S", "P-1D", "PT 1S", "PT1S ", "P1DT0H0M",
            "P00D", "PT0000S", "P0DT0S"]
    return sorted(set(out))


def sweep_urls():
    """Endpoint URLs strung together from the pieces URL parsers trip on
    (IPv4 prefixes, ports, brackets, escapes, delimiters), seeded so every run
    sees the same ones."""
    pieces = ["h", "example.com", ".", "-", "_", "~", ":", "8443", "/", "?", "#", "@", "%41", "%4", "%zz", "[",
              "]", "::1", "2001:db8::1", "v1.x", " ", "é", "!", "$", "&", "'", "(", "*", "+", ",", ";", "=",
              "\\", "\"", "<", "{", "|", "^", "`", "1.2.3.4", "a3", "0"]
    chooser = random.Random(15)
    out = set()
    while len(out) < 3000:
        scheme = chooser.choice(["https://", "https://", "HTTPS://", "http://", "ftp://", "https:", ""])
        out.add(scheme + "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 6))))
    return sorted(out)


def run_sweep(label, values, spec, schema_judge, loader_judge, verbose):
    """Judges many values of one webhook field, put in `spec` for its %s: one
    document per line in one file, so that a loader error's line names its
    document."""
    lines = []
    for i, value in enumerate(values):
        quoted = "'" + value.replace("'", "''") + "'"
        lines.append("{apiVersion: hookwarden/v1, kind: Webhook, metadata: {name: d%d}, spec: {%s}}"
                     % (i, spec % quoted))
    _, stderr = loader_judge.judge("\n---\n".join(lines) + "\n", filename="sweep.yaml")
    refused_lines = set()
    for line in stderr:
        match = re.match(r"sweep\.yaml:(\d+):\d+: error: ", line)
        if match:
            refused_lines.add(int(match.group(1)))
    failures = []
    for i, value in enumerate(values):
        loader_accepts = (2 * i + 1) not in refused_lines
        schema_accepts, problems, _ = schema_judge.judge(lines[i])
        if loader_accepts and not schema_accepts and label == "retryInterval" and carries_over(value):
            continue  # _CARRY_OVER
        if loader_accepts != schema_accepts:
            failures.append(f"{label} {value!r}: DISAGREEMENT: schema {verdict(schema_accepts)}, loader "
                            f"{verdict(loader_accepts)}" + (f" ({problems[0]})" if problems else ""))
    if verbose or failures:
        print(f"{label} sweep: {len(values)} values, {len(values) - len(refused_lines)} accepted by the loader")
    return failures


# ------------------------------------------------------------------ main

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hookwarden", required=True, help="the built hookwarden binary")
    parser.add_argument("--source-dir", required=True, help="the repository's top directory")
    parser.add_argument("--verbose", action="store_true", help="print every case's verdicts")
    args = parser.parse_args()

    source = Path(args.source_dir)
    corpus = source / "tests/manifests/schema_corpus"
    schema_judge = SchemaJudge(source / "manifests/schema/webhook.schema.json")

    cases = []  # (name, path, expected loader verdict)
    for path in sorted(corpus.rglob("*.yaml")):
        relative = path.relative_to(corpus).as_posix()
        expected = {"good": True, "bad": False}.get(path.parent.name)
        if expected is None:
            sys.exit(f"schema_agreement: {relative}: a case belongs in a good/ or bad/ folder")
        cases.append((relative, path, expected))
    for path in sorted(itertools.chain((source / "manifests/examples").rglob("*.yaml"),
                                       (source / "manifests/examples").rglob("*.yml"))):
        cases.append(("examples/" + path.relative_to(source / "manifests/examples").as_posix(), path, True))
    names = {name for name, _, _ in cases}
    for listed in itertools.chain(EXCEPTIONS, INSECURE_ONLY):
        if listed not in names:
            sys.exit(f"schema_agreement: the exception {listed} names no case")

    failures = []
    documented = 0
    with tempfile.TemporaryDirectory(prefix="schema-agreement-") as scratch:
        loader_judge = LoaderJudge(args.hookwarden, scratch)

        def judge(case):
            name, path, expected = case
            text = path.read_text(encoding="utf-8")
            schema = schema_judge.judge(text)
            loader = loader_judge.judge(text, filename=path.name)
            insecure = loader_judge.judge(text, "insecure", path.name) if name in INSECURE_ONLY else None
            return case, schema, loader, insecure

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            results = list(pool.map(judge, cases))

        for (name, _, expected), (s_ok, s_problems, format_dependent), (l_ok, l_lines), insecure in results:
            report = [f"  schema {verdict(s_ok)}"] + [f"    {p}" for p in s_problems]
            report += [f"  loader {verdict(l_ok)}"] + [f"    {line}" for line in l_lines if ": error: " in line]
            if args.verbose:
                print(f"{name}: schema {verdict(s_ok)}, loader {verdict(l_ok)}")
            if l_ok != expected:
                failures.append(f"{name}: the case sits in {'good' if expected else 'bad'}/ but the loader "
                                f"{verdict(l_ok)} it\n" + "\n".join(report))
                continue
            if format_dependent:
                failures.append(f"{name}: the schema's verdict changes without format assertion, which "
                                f"2020-12 leaves optional; a pattern must carry the rule\n" + "\n".join(report))
            if name in EXCEPTIONS:
                if s_ok == l_ok:
                    failures.append(f"{name}: listed as an exception, but schema and loader now agree; "
                                    f"remove it from EXCEPTIONS")
                else:
                    documented += 1
                continue
            if s_ok != l_ok:
                failures.append(f"{name}: DISAGREEMENT\n" + "\n".join(report))
            if insecure is not None:
                if not insecure[0]:
                    failures.append(f"{name}: listed in INSECURE_ONLY, but the loader refuses it even with "
                                    f"allowInsecureEndpoints: true; move it to a plain case")
                elif not s_ok:
                    documented += 1

        failures += run_sweep("retryInterval", sweep_intervals(),
                              "eventTypes: [user:login], endpointUrl: 'https://h.example.com/', "
                              "retryPolicy: {retryInterval: %s}", schema_judge, loader_judge, args.verbose)
        failures += run_sweep("endpointUrl", sweep_urls(), "eventTypes: [user:login], endpointUrl: %s",
                              schema_judge, loader_judge, args.verbose)

    counts = {}
    for name, _, expected in cases:
        kind = name.split("/")[0]
        key = (kind, "good" if expected else "bad")
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{kind} {verdict_name} {n}" for (kind, verdict_name), n in sorted(counts.items()))
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"schema agreement: {len(cases)} cases ({summary}) and two sweeps; {documented} documented "
          f"differences; {len(failures)} failures; jsonschema {jsonschema_version()}")
    return 1 if failures else 0


def jsonschema_version():
    try:
        from importlib.metadata import version
        return version("jsonschema")
    except Exception:  # noqa: BLE001 - only for the summary line
        return "?"


if __name__ == "__main__":
    sys.exit(main())
