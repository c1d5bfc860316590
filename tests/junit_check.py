#!/usr/bin/python3
"""Checks JUnit XML reports with Python's xml.etree: well-formed XML, and the shape CI
servers read (testsuites > testsuite > testcase, every test case named, the tests and
failures counts of each suite and of the whole run equal to what the file holds).

usage: junit_check.py [--skip-empty] REPORT.xml...    Exits 0 when every report is well-formed and consistent.
With --skip-empty, an empty file (a golden case that is an input error: nothing on standard
output) is reported as skipped.
"""
import sys
import xml.etree.ElementTree as ET


def check(path, skip_empty):
    problems = []
    if skip_empty and not open(path, encoding="utf-8").read().strip():
        print(f"{path}: skipped: empty")
        return []
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return [f"not well-formed XML: {e}"]
    if root.tag != "testsuites":
        return [f"root element is <{root.tag}>, expected <testsuites>"]
    total_tests = total_failures = 0
    for suite in root:
        if suite.tag != "testsuite":
            problems.append(f"<{suite.tag}> inside <testsuites>")
            continue
        cases = suite.findall("testcase")
        failures = sum(1 for c in cases if c.find("failure") is not None)
        total_tests += len(cases)
        total_failures += failures
        if int(suite.get("tests", -1)) != len(cases):
            problems.append(f"suite {suite.get('name')!r}: tests={suite.get('tests')} but {len(cases)} test cases")
        if int(suite.get("failures", -1)) != failures:
            problems.append(f"suite {suite.get('name')!r}: failures={suite.get('failures')} but {failures} failing test cases")
        for c in cases:
            if not c.get("name") or not c.get("classname"):
                problems.append(f"suite {suite.get('name')!r}: a test case without name or classname")
            for f in c.findall("failure"):
                if not f.get("type") or f.get("message") is None:
                    problems.append(f"test case {c.get('name')!r}: a failure without type or message")
    if int(root.get("tests", -1)) != total_tests:
        problems.append(f"testsuites tests={root.get('tests')} but {total_tests} test cases")
    if int(root.get("failures", -1)) != total_failures:
        problems.append(f"testsuites failures={root.get('failures')} but {total_failures} failing test cases")
    return problems


def main():
    args = sys.argv[1:]
    skip_empty = "--skip-empty" in args
    paths = [a for a in args if a != "--skip-empty"]
    bad = 0
    for path in paths:
        problems = check(path, skip_empty)
        for p in problems:
            print(f"{path}: {p}")
        if not problems:
            print(f"{path}: well-formed JUnit XML (or skipped)")
        bad += len(problems)
    return 1 if bad or not paths else 0


if __name__ == "__main__":
    sys.exit(main())
