"""Shared by the Python test scripts in tests/: each check is printed and recorded, and the
script ends with one exit code (0 when every check held)."""

failures = []


def check(cond, what):
    """Records `what` as held or failed, and prints it either way."""
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)
    return cond


def finish():
    """The script's exit code: 1 and the count of failed checks, or 0 and "ok"."""
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("ok")
    return 0
