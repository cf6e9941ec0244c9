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


N = 7
REVENUE = 577.55
REFUNDS = 77.49
NET = 500.06


def value(lines, label):
    for line in lines:
        match = re.match(r"\W*" + label + r"\W*[:=]\s*(.+)$", line, re.I)
        if match:
            found = numbers(match.group(1).replace("$", "").replace("€", ""))
            assert found, f"the line {line!r} gives no number"
            return found[0]
    raise AssertionError(f"report.txt has no line starting with '{label}:'")


def check():
    lines = lines_of("report.txt")
    assert lines, "report.txt is empty"
    first = " ".join(lines[0].split())
    assert first.upper() == "DAILY REPORT 2025-05-14", f"the first line is {lines[0]!r}, expected 'DAILY REPORT 2025-05-14'"
    for label, want in (("completed orders", N), ("revenue", REVENUE), ("refunds", REFUNDS), ("net", NET)):
        got = value(lines[1:], label)
        assert abs(got - want) < 0.006, f"{label} is {got}, expected {want}"


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
