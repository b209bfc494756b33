#!/usr/bin/env python3
"""Prints the two long patterns of manifests/schema/webhook.schema.json, built
from their grammar, so that nobody edits them by hand:

- retryInterval: an ISO-8601 duration from PT1S to P1D in days, hours, minutes
  and whole seconds (1..9 digits each, leading zeros allowed), where only the
  first unit may pass its carry-over point (core/manifest_rules.cpp);
- endpointUrl: an absolute https URL as RFC 3986 and Boost.URL read it, with a
  host, no user info and no fragment.

Both end in `$(?!\\n)`: Python's re, which python-jsonschema uses, lets `$`
match before a final newline, ECMA-262 does not; the lookahead makes them one.
tests/manifests/schema_agreement.py checks the result against the loader.

Usage: schema_patterns.py   (prints {"retryInterval": ..., "endpointUrl": ...})
"""

import json


def _same_length(lo, hi):
    """Decimal numbers lo..hi written with the same number of digits."""
    n = len(lo)
    if lo == hi:
        return lo
    if n == 1:
        return f"[{lo}-{hi}]"
    if lo[0] == hi[0]:
        return lo[0] + _group(_same_length(lo[1:], hi[1:]))
    parts, tail = [], None
    first, last = int(lo[0]), int(hi[0])
    if lo[1:] != "0" * (n - 1):
        parts.append(lo[0] + _group(_same_length(lo[1:], "9" * (n - 1))))
        first += 1
    if hi[1:] != "9" * (n - 1):
        tail = hi[0] + _group(_same_length("0" * (n - 1), hi[1:]))
        last -= 1
    if first <= last:
        digit = str(first) if first == last else f"[{first}-{last}]"
        parts.append(digit + ("\\d" if n == 2 else f"\\d{{{n - 1}}}"))
    if tail:
        parts.append(tail)
    return "|".join(parts)


def _group(alternatives):
    return alternatives if "|" not in alternatives else f"(?:{alternatives})"


def number_range(lo, hi):
    """Decimal numbers lo..hi (lo >= 1) without a leading zero."""
    parts = []
    for digits in range(len(str(lo)), len(str(hi)) + 1):
        a, b = max(lo, 10 ** (digits - 1)), min(hi, 10 ** digits - 1)
        if a <= b:
            parts.append(_same_length(str(a), str(b)))
    return "|".join(parts)


def count(lo, hi, unit):
    """A count of `unit` in lo..hi: 1..9 digits, leading zeros allowed."""
    digits = f"(?=\\d{{1,9}}{unit})"
    if hi == 0:
        return f"{digits}0+{unit}"
    if lo == 0:
        return f"{digits}0*{_group(number_range(1, hi) + '|0')}{unit}"
    return f"{digits}0*{_group(number_range(lo, hi))}{unit}"


def retry_interval_pattern():
    zero = lambda unit: f"(?:{count(0, 0, unit)})?"
    below = lambda limit, unit: f"(?:{count(0, limit - 1, unit)})?"
    time_first = "|".join([
        count(24, 24, "H") + zero("M") + zero("S"),
        count(0, 23, "H") + below(60, "M") + below(60, "S"),
        count(1440, 1440, "M") + zero("S"),
        count(0, 1439, "M") + below(60, "S"),
        count(0, 86400, "S"),
    ])
    body = "|".join([
        count(1, 1, "D") + "(?:T(?=\\d)" + zero("H") + zero("M") + zero("S") + ")?",
        count(0, 0, "D") + "T(?=\\d)" + below(24, "H") + below(60, "M") + below(60, "S"),
        f"T(?=\\d)(?:{time_first})",
    ])
    # Not every digit zero: the interval is at least PT1S.
    return f"^(?!P[0DHMST]*$)P(?:{body})$(?!\\n)"


def endpoint_url_pattern():
    h16 = "[0-9A-Fa-f]{1,4}"
    octet = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
    ipv4 = f"{octet}(?:\\.{octet}){{3}}"
    ls32 = f"(?:{h16}:{h16}|{ipv4})"
    before = lambda n: f"(?:(?:{h16}:){{0,{n}}}{h16})?" if n else f"(?:{h16})?"
    ipv6 = "|".join([
        f"(?:{h16}:){{6}}{ls32}",
        f"::(?:{h16}:){{5}}{ls32}",
        f"{before(0)}::(?:{h16}:){{4}}{ls32}",
        f"{before(1)}::(?:{h16}:){{3}}{ls32}",
        f"{before(2)}::(?:{h16}:){{2}}{ls32}",
        f"{before(3)}::{h16}:{ls32}",
        f"{before(4)}::{ls32}",
        f"{before(5)}::{h16}",
        f"{before(6)}::",
    ])
    unreserved_sub = "A-Za-z0-9._~!$&'()*+,;="  # and '-', last in each class
    pct = "%[0-9A-Fa-f]{2}"
    reg_name = f"(?:[{unreserved_sub}-]|{pct})+"
    ip_literal = f"\\[(?:{ipv6}|v[0-9A-Fa-f]+\\.[{unreserved_sub}:-]+)\\]"
    segment = f"(?:[{unreserved_sub}:@-]|{pct})*"
    query = f"(?:[{unreserved_sub}:@/?-]|{pct})*"
    # A port is empty (the default) or 1..65535, leading zeros allowed.
    port = "0*(?:[1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5])"
    return (f"^[Hh][Tt][Tt][Pp][Ss]://(?:{reg_name}|{ip_literal})(?::(?:{port})?)?"
            f"(?:/{segment})*(?:\\?{query})?$(?!\\n)")


if __name__ == "__main__":
    print(json.dumps({"retryInterval": retry_interval_pattern(), "endpointUrl": endpoint_url_pattern()},
                     indent=2))
