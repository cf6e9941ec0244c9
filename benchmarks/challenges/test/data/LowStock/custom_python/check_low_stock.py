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


EXPECTED = [['item', 'warehouse', 'stock'], ['hex nuts M8', 'Leeds', '5'], ['washers 8 mm', 'York', '19'], ['hinges 75 mm', 'Hull', '3'], ['door handles', 'York', '12'], ['padlocks', 'Leeds', '0'], ['chain 5 m', 'Hull', '18']]


def rows_of(name):
    read(name)
    with open(name, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]


def num(cell):
    return float(cell.replace(",", "").replace("$", "").replace("€", "").replace("¥", "").strip())


def check():
    rows = rows_of("low_stock.csv")
    assert rows, "low_stock.csv is empty"
    assert [c.lower() for c in rows[0]] == EXPECTED[0], f"header is {rows[0]!r}, expected {EXPECTED[0]!r}"
    got = [(r[0], r[1], num(r[2])) for r in rows[1:] if len(r) == 3]
    want = [(r[0], r[1], float(r[2])) for r in EXPECTED[1:]]
    assert len(got) == len(rows) - 1, "some rows of low_stock.csv do not have three columns"
    extra = [g[0] for g in got if g not in want]
    missing = [w[0] for w in want if w not in got]
    assert not extra, f"low_stock.csv holds rows that are not low on stock: {extra}"
    assert not missing, f"low_stock.csv misses rows: {missing}"
    assert got == want, "the rows are not in their original order"


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
