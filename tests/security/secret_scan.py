#!/usr/bin/env python3
"""The suite-wide secret scan: no secret value the tests use may appear in
anything the hookwarden binary printed or wrote during the run (SPEC §4a,
§6: never logged, printed or written outside stateDir/secrets).

    secret_scan.py CAPTURED_DIR GOLDEN_CASES_DIR
    secret_scan.py --self-test

CAPTURED_DIR is what tests/support/output_capture.hpp kept during this
ctest run: `output/` (stdout and stderr of every hookwarden process the
process tests, the CLI engine tests and the golden tests started) and
`state/` (their state directories, copied without `secrets/`). The values
of the generated secrets those state directories held are in
`known-secrets/`: each one is looked for too, and that directory is the one
place not scanned, since holding them is what it is for. GOLDEN_CASES_DIR
holds the CLI golden expectations; their `stdout` and `stderr` files are
scanned (a case's inputs, such as its config file, are not output).

The secrets are exact, known strings, never guessed by entropy: the
emulator's client secret as the tests give it, the prefix of every access
token the emulator issues, the fixed webhook secrets of the tests, and the
generated ones above. A finding names the file, the line and which secret,
never the value (this output lands in the test log). Exit 0 clean, 1 a
secret was found, 2 bad usage.
"""

import os
import pathlib
import sys
import tempfile

# (label, value): the fixed secret values of the test suite.
FIXED_SECRETS = [
    ("the emulator's client secret (EmulatorProcess::kClientSecret)", "demo-secret"),
    ("an emulator access token (every one starts so)", "hwemu-token-"),
    ("engine_cli_test's manifest secret", "cli-manifest-secret-7f3a9c"),
    ("engine_cli_test's file secret", "cli-file-secret-4b81d2"),
    ("receive_process_test's webhook secret", "the-right-one"),
    ("run_loop_process_test's wrong client secret", "not-the-secret"),
]

# Shorter generated values would be noise, not secrets hookwarden made.
MIN_KNOWN_SECRET = 16


def known_secrets(captured):
    found = []
    directory = captured / "known-secrets"
    if directory.is_dir():
        for path in sorted(directory.iterdir()):
            value = path.read_bytes().rstrip(b"\r\n")
            if len(value) >= MIN_KNOWN_SECRET:
                found.append((f"a secret kept in a test's stateDir/secrets ({path.name})", value))
    return found


def files_to_scan(captured, golden):
    files = []
    for part in ("output", "state"):
        root = captured / part
        if root.is_dir():
            files += sorted(p for p in root.rglob("*") if p.is_file())
    if golden is not None and golden.is_dir():
        files += sorted(p for p in golden.glob("*/*") if p.is_file() and p.name in ("stdout", "stderr"))
    return files


def scan(files, secrets):
    findings = []
    for path in files:
        data = path.read_bytes()
        for label, value in secrets:
            needle = value if isinstance(value, bytes) else value.encode()
            at = data.find(needle)
            if at >= 0:
                line = data.count(b"\n", 0, at) + 1
                findings.append(f"{path}:{line}: {label}")
    return findings


def run(captured, golden):
    secrets = FIXED_SECRETS + known_secrets(captured)
    files = files_to_scan(captured, golden)
    findings = scan(files, secrets)
    for finding in findings:
        print(f"secret found: {finding}")
    print(f"scanned {len(files)} files for {len(secrets)} secrets "
          f"({len(secrets) - len(FIXED_SECRETS)} generated during the run): "
          f"{len(findings)} found")
    if not files:
        print("nothing was captured: run this with the tests that start hookwarden")
    return 1 if findings else 0


def self_test():
    """The scan can fail: plant each kind of secret and expect it found."""
    with tempfile.TemporaryDirectory(prefix="hookwarden-scan-") as tmp:
        root = pathlib.Path(tmp)
        captured, golden = root / "captured", root / "cases"
        (captured / "output").mkdir(parents=True)
        (captured / "state" / "s1").mkdir(parents=True)
        (captured / "known-secrets").mkdir(parents=True)
        (golden / "some-case").mkdir(parents=True)
        generated = "0f" * 32
        (captured / "known-secrets" / "1-0-Beta").write_text(generated + "\n")
        (captured / "output" / "clean.log").write_text("converged 2/2\n")
        (golden / "some-case" / "stdout").write_text("Plan: 1 to create\n")
        if run(captured, golden) != 0:
            print("self-test: a clean capture was reported")
            return 1
        plants = [
            (captured / "output" / "1-1-hookwarden.log", "debug: Authorization: Bearer hwemu-token-0123\n"),
            (captured / "state" / "s1" / "status.json", '{"error": "' + generated + '"}\n'),
            (golden / "some-case" / "stderr", "line one\nclient secret demo-secret refused\n"),
        ]
        for path, text in plants:
            path.write_text(text)
            if run(captured, golden) != 1:
                print(f"self-test: a secret planted in {path.name} was not found")
                return 1
            path.unlink()
        # A generated secret where it belongs is not a finding.
        if run(captured, golden) != 0:
            print("self-test: known-secrets/ itself was reported")
            return 1
    print("self-test: every planted secret was found, nothing else")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return run(pathlib.Path(argv[1]), pathlib.Path(argv[2]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
