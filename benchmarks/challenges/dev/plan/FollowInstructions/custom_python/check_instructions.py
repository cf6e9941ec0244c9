"""Checker: prints PASS when the workspace holds a correct answer, otherwise FAIL and why."""
import os
import re
import sys


def numbers(text):
    """Every number in text (thousands separators and currency signs ignored)."""
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text.replace(",", ""))]


def read(name):
    if not os.path.isfile(name):
        raise AssertionError(f"{name} does not exist")
    with open(name, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def check():
    greeting = read("greeting.txt").strip()
    assert greeting == "Hello, benchmark!", f"greeting.txt holds {greeting!r}"
    lines = [line.strip() for line in read("countdown.txt").splitlines() if line.strip()]
    assert lines == ["5", "4", "3", "2", "1"], f"countdown.txt lines are {lines!r}"
    done = read("done.txt").strip()
    assert done == "COMPLETE", f"done.txt holds {done!r}"


if __name__ == "__main__":
    try:
        check()
    except AssertionError as exc:
        print(f"FAIL: {exc}")
        sys.exit(1)
    except Exception as exc:  # a broken output file is a failed answer, not a crashed checker
        print(f"FAIL: {type(exc).__name__}: {exc}")
        sys.exit(1)
    print("PASS")
