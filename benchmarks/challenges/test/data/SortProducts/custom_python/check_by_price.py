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
    with open(name, encoding="utf-8-sig", errors="replace") as fh:
        return fh.read()


def lines_of(name):
    """The non-empty lines of a file, stripped (CRLF and trailing spaces do not matter)."""
    return [line.strip() for line in read(name).splitlines() if line.strip()]


def unchanged(name, original):
    """The input file name still holds original (line endings and a final newline aside)."""
    text = read(name).replace("\r\n", "\n").rstrip("\n")
    assert text == original.rstrip("\n"), f"{name} was changed; it must keep its original content"


EXPECTED = [['sku', 'name', 'price'], ['P-102', 'Standing desk', '1249.00'], ['P-105', 'Office chair', '329.00'], ['P-112', 'Docking station', '215.00'], ['P-107', 'Headset', '129.95'], ['P-104', 'Monitor arm', '89.50'], ['P-108', 'Webcam', '74.00'], ['P-110', 'Keyboard', '59.00'], ['P-101', 'Desk lamp', '34.90'], ['P-109', 'USB hub', '19.90'], ['P-111', 'Mouse pad', '12.50'], ['P-106', 'Notebook', '9.99'], ['P-103', 'Cable ties', '4.75']]


def rows_of(name):
    read(name)
    with open(name, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]


def num(cell):
    return float(cell.replace(",", "").replace("$", "").replace("€", "").replace("¥", "").strip())


def check():
    rows = rows_of("by_price.csv")
    assert rows, "by_price.csv is empty"
    assert [c.lower() for c in rows[0]] == EXPECTED[0], f"header is {rows[0]!r}, expected {EXPECTED[0]!r}"
    got = [(r[0], r[1], round(num(r[2]), 2)) for r in rows[1:] if len(r) == 3]
    want = [(r[0], r[1], round(float(r[2]), 2)) for r in EXPECTED[1:]]
    assert len(got) == len(rows) - 1, "some rows of by_price.csv do not have three columns"
    assert sorted(got) == sorted(want), "by_price.csv does not hold exactly the rows of products.csv"
    assert got == want, "rows are not sorted by price from the highest to the lowest"


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
