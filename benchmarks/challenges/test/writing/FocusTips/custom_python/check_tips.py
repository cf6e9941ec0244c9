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


def check():
    lines = lines_of("tips.txt")
    assert len(lines) == 5, f"tips.txt has {len(lines)} non-empty lines, expected exactly 5"
    bad = [line for line in lines if not line.startswith("- ")]
    assert not bad, f"these lines do not start with '- ': {bad}"
    short = [line for line in lines if len(line[2:].split()) < 3]
    assert not short, f"these tips are too short to be tips: {short}"
    assert len({line[2:].strip().lower() for line in lines}) == 5, "some tips are repeated"


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
