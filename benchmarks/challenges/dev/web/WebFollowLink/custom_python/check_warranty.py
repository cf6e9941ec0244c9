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
    found = numbers(read("answer.txt"))
    assert 30 in found, f"answer.txt does not give 30 months (numbers found: {found})"
    wrong = [n for n in found if n in (18, 36, 6)]
    assert not wrong, f"answer.txt also gives the warranty of other products: {wrong}"


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
