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
    with open(name, encoding="utf-8-sig", errors="replace") as fh:
        return fh.read()


def lines_of(name):
    """The non-empty lines of a file, stripped (CRLF and trailing spaces do not matter)."""
    return [line.strip() for line in read(name).splitlines() if line.strip()]


def unchanged(name, original):
    """The input file name still holds original (line endings and a final newline aside)."""
    text = read(name).replace("\r\n", "\n").rstrip("\n")
    assert text == original.rstrip("\n"), f"{name} was changed; it must keep its original content"


EXPECTED = 'amal.benali@kestrel-bikes.example'


def check():
    found = [e.lower().rstrip(".") for e in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", read("email.txt"))]
    assert EXPECTED in found, f"email.txt does not give the address of the head of customer support (found: {found})"
    others = sorted(set(found) - {EXPECTED})
    assert not others, f"email.txt also gives other addresses: {others}"


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
