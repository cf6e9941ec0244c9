"""Checker: prints PASS when the workspace holds a correct answer, otherwise FAIL and why."""
import csv
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


EXPECTED = [['order_id', 'customer', 'status', 'amount'], ['1001', 'Harbor Foods', 'shipped', '120.50'], ['1004', 'Greenleaf Cafe', 'shipped', '42.10'], ['1006', 'Nimbus Labs', 'shipped', '15.25'], ['1008', 'Harbor Foods', 'shipped', '99.00'], ['1010', 'Orchid Books', 'shipped', '64.80'], ['1012', 'Greenleaf Cafe', 'shipped', '230.00'], ['1014', 'Quarry & Sons', 'shipped', '150.75']]


def check():
    read("shipped.csv")
    with open("shipped.csv", newline="", encoding="utf-8-sig", errors="replace") as fh:
        rows = [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]
    assert rows, "shipped.csv is empty"
    assert rows[0] == EXPECTED[0], f"header is {rows[0]!r}, expected {EXPECTED[0]!r}"
    got = [r[0] for r in rows[1:]]
    want = [r[0] for r in EXPECTED[1:]]
    assert rows == EXPECTED, f"order ids are {got}, expected {want} (with their full rows)"


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
