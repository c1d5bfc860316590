#!/usr/bin/python3
"""Validates JSON documents against JSON Schemas with Debian's python3-jsonschema.

usage: schema_check.py [--lenient-schema] [--skip-empty] SCHEMA DOCUMENT...   (a DOCUMENT of "-" is stdin)
Exits 0 when every document is valid; prints each violation with its JSON path otherwise.
With --lenient-schema, defects of the schema itself (against its meta-schema) are printed as
warnings instead of failing: for third-party schemas with known upstream defects (see
schemas/third_party/README.md). With --skip-empty, an empty document (the expected output of
a golden case that is an input error, where opguard writes nothing to standard output) is
reported as skipped instead of failing.

The validator class follows the schema's own "$schema" (draft-07 for some third-party
schemas, 2020-12 for opguard's), defaulting to Draft 2020-12. The schema itself is checked
against its meta-schema structurally; "format" is not asserted there, because third-party
schemas may hold ECMA-262 regular expressions that Python's re module does not accept
(SARIF's "^(?i)..." language pattern).
"""
import json
import sys

import jsonschema


def main() -> int:
    args = sys.argv[1:]
    lenient = "--lenient-schema" in args
    skip_empty = "--skip-empty" in args
    args = [a for a in args if a not in ("--lenient-schema", "--skip-empty")]
    if len(args) < 2:
        print(__doc__)
        return 2
    schema_path, docs = args[0], args[1:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    meta_errors, seen = [], set()
    for e in cls(cls.META_SCHEMA).iter_errors(schema):
        key = (tuple(map(str, e.absolute_path)), e.message)
        if key not in seen:
            seen.add(key)
            meta_errors.append(e)
    for e in meta_errors:
        where = "/".join(str(p) for p in e.absolute_path)
        print(f"{schema_path}: {'warning: ' if lenient else ''}not a valid {cls.__name__} schema at /{where}: {e.message}")
    if meta_errors and not lenient:
        return 1
    validator = cls(schema)
    bad = 0
    for doc in docs:
        text = sys.stdin.read() if doc == "-" else open(doc, encoding="utf-8").read()
        if skip_empty and not text.strip():
            print(f"{doc}: skipped: empty")
            continue
        data = json.loads(text)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        for e in errors:
            print(f"{doc}: /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
        bad += len(errors)
        if not errors:
            print(f"{doc}: valid against {schema_path} ({cls.__name__})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
