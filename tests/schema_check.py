#!/usr/bin/python3
"""Validates JSON documents against opguard's JSON Schemas with Debian's python3-jsonschema.

usage: schema_check.py SCHEMA DOCUMENT...   (a DOCUMENT of "-" is read from standard input)
Exits 0 when every document is valid; prints each violation with its JSON path otherwise.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, docs = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for doc in docs:
        data = json.load(sys.stdin if doc == "-" else open(doc, encoding="utf-8"))
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        for e in errors:
            print(f"{doc}: /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
        bad += len(errors)
        if not errors:
            print(f"{doc}: valid against {schema_path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
