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


VALUES = {'widget': 38.5, 'gadget': 59.97, 'sprocket': 22.95, 'gizmo': 59.2}
TOTAL = 180.62


def check():
    lines = [line.strip() for line in read("report.txt").splitlines() if line.strip()]
    assert lines, "report.txt is empty"
    for item, value in VALUES.items():
        found = [line for line in lines if item in line.lower()]
        assert found, f"no line for {item}"
        assert any(abs(n - value) < 0.005 for line in found for n in numbers(line)), \
            f"the line for {item} does not show its value {value:.2f}"
    assert not any("doohickey" in line.lower() for line in lines), "doohickey is not in inventory.txt"
    match = re.match(r"total\s*:\s*\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*$", lines[-1], re.IGNORECASE)
    assert match, f"the last line is {lines[-1]!r}, expected 'TOTAL: <sum>'"
    total = float(match.group(1).replace(",", ""))
    assert abs(total - TOTAL) < 0.005, f"TOTAL is {total}, expected {TOTAL:.2f}"


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
