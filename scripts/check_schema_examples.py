#!/usr/bin/env python3
"""Check schemas/event.schema.json against the example events.

- The schema itself must be a valid JSON Schema (draft 2020-12).
- Every schemas/examples/valid/*.json must pass. Where two valid examples are seq n-1 and n of the
  same session, n's `prev` must be the sha256 of n-1's canonical bytes (the wire.md rules), so the
  valid examples double as a golden hash-chain fixture.
- Every schemas/examples/invalid/*.json must fail, and only at the field its name describes:
  schemas/examples/expected-errors.json maps each invalid file name to that field path, and the
  set of paths this script derives from the validator's errors must be exactly that one path.

Field paths are dotted object keys with [i] for array indices, relative to the event:
"seq", "data.argv[1]", "data.agent.name", "blobs.stdout". A missing or unexpected property is
named by its own path ("session", "data.after"); a value that breaks a rule about its object as a
whole (net.response without status or error) is named by the object's path ("data").

Files are read strictly: UTF-8 without BOM, no duplicate keys, no NaN/Infinity.
Closing line: `schema examples: N passed, M failed`; exit status 1 on any failure.
Uses the PyPI `jsonschema` package with format checking off (the schema relies on patterns only).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

try:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
except ImportError:  # pragma: no cover - environment problem, not a check failure
    sys.exit("check_schema_examples: the PyPI package `jsonschema` is missing (make setup installs it)")

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "event.schema.json"
EXAMPLES = ROOT / "schemas" / "examples"
EXPECTED = EXAMPLES / "expected-errors.json"


class ExampleError(Exception):
    """A file that cannot be read as strict JSON."""


class RawNumber(str):
    """A JSON number kept as the literal text it was written with."""


def _reject_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ExampleError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _reject_constant(name):
    raise ExampleError(f"{name} is not JSON")


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ExampleError("starts with a byte order mark")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ExampleError(f"invalid UTF-8 at byte {e.start}") from None


def parse(text: str, raw_numbers: bool = False):
    """Parse strictly; with raw_numbers, numbers stay as their literal text (for canonical bytes)."""
    hooks = {"object_pairs_hook": _reject_duplicates, "parse_constant": _reject_constant}
    if raw_numbers:
        hooks["parse_int"] = RawNumber
        hooks["parse_float"] = RawNumber
    try:
        return json.loads(text, **hooks)
    except json.JSONDecodeError as e:
        raise ExampleError(f"not JSON: {e}") from None


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _canonical_string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical_text(value) -> str:
    """Canonical JSON: keys in UTF-8 byte order, no whitespace, literal numbers, minimal escapes."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, str):
        return _canonical_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical_text(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(_canonical_string(k) + ":" + canonical_text(value[k]) for k in keys) + "}"
    raise TypeError(f"unexpected value {value!r}; parse with raw_numbers=True")


def canonical_bytes(value) -> bytes:
    try:
        return canonical_text(value).encode("utf-8")
    except UnicodeEncodeError:
        raise ExampleError("string holds a lone surrogate (\\ud800-\\udfff escape)") from None


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def format_path(parts) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def error_paths(error) -> set[str]:
    """The field path(s) one validation error names, in the expected-errors.json format."""
    base = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        return {format_path(base + [name]) for name in error.validator_value if name not in instance}
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        extras = [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]
        return {format_path(base + [k]) for k in extras}
    if "propertyNames" in error.absolute_schema_path:
        return {format_path(base + [instance])}
    return {format_path(base)}


def check_valid(validator, path: Path, seen: dict) -> list[str]:
    text = read_text(path)
    event = parse(text)
    problems = [f"{format_path(e.absolute_path) or '<event>'}: {e.message}" for e in validator.iter_errors(event)]
    if not problems:
        key = (event["session"], event["seq"])
        if key in seen:
            problems.append(f"(session, seq) {key} already used by {seen[key][0]}")
        else:
            seen[key] = (path.name, parse(text, raw_numbers=True))
    return problems


def check_chain(seen: dict) -> dict[str, list[str]]:
    """Links between valid examples that are seq n-1 and n of one session."""
    problems: dict[str, list[str]] = {}
    for (session, seq), (name, event) in seen.items():
        before = seen.get((session, seq - 1))
        if before is None:
            continue
        want = digest(canonical_bytes(before[1]))
        if str(event.get("prev")) != want:
            problems.setdefault(name, []).append(
                f"prev should be {want} (sha256 of the canonical bytes of {before[0]})")
    return problems


def check_invalid(validator, path: Path, expected: str | None) -> list[str]:
    if expected is None:
        return [f"not listed in {EXPECTED.name}"]
    event = parse(read_text(path))
    found = set()
    for error in validator.iter_errors(event):
        found |= error_paths(error)
    if not found:
        return ["passed the schema but must fail"]
    if found != {expected}:
        return [f"fails at {sorted(found)}, expected only {expected!r}"]
    return []


def main() -> int:
    passed = failed = 0

    def report(name: str, problems: list[str]) -> None:
        nonlocal passed, failed
        if problems:
            failed += 1
            for p in problems:
                print(f"FAIL {name}: {p}")
        else:
            passed += 1

    try:
        schema = parse(read_text(SCHEMA))
        Draft202012Validator.check_schema(schema)
    except (OSError, ExampleError, SchemaError) as e:
        print(f"FAIL {SCHEMA.relative_to(ROOT)}: {e}")
        print(f"schema examples: 0 passed, 1 failed")
        return 1
    validator = Draft202012Validator(schema)  # no format_checker: formats are annotations only

    try:
        expected = parse(read_text(EXPECTED))
        if not isinstance(expected, dict) or not all(isinstance(v, str) for v in expected.values()):
            raise ExampleError("must be an object of file name -> field path string")
    except (OSError, ExampleError) as e:
        report(str(EXPECTED.relative_to(ROOT)), [str(e)])
        expected = {}

    valid = sorted((EXAMPLES / "valid").glob("*.json"))
    invalid = sorted((EXAMPLES / "invalid").glob("*.json"))
    if not valid or not invalid:
        report("schemas/examples", ["no valid or no invalid examples found"])

    seen: dict = {}
    valid_problems: dict[str, list[str]] = {}
    for path in valid:
        try:
            valid_problems[path.name] = check_valid(validator, path, seen)
        except ExampleError as e:
            valid_problems[path.name] = [str(e)]
    try:
        for name, problems in check_chain(seen).items():
            valid_problems[name] += problems
    except ExampleError as e:
        report("valid chain", [str(e)])
    for name, problems in valid_problems.items():
        report(f"valid/{name}", problems)

    for path in invalid:
        try:
            problems = check_invalid(validator, path, expected.get(path.name))
        except ExampleError as e:
            problems = [f"must be well-formed JSON that fails only the schema: {e}"]
        report(f"invalid/{path.name}", problems)
    for name in sorted(set(expected) - {p.name for p in invalid}):
        report(f"{EXPECTED.name}", [f"lists {name}, which does not exist in invalid/"])

    print(f"schema examples: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
