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


EXPECTED = [['name', 'department', 'phone'], ['Sofia Marin', 'Finance', '+44 20 7946 0107'], ['Tariq Aziz', 'Logistics', ''], ['Hannah Berg', 'Sales', '+44 20 7946 0103'], ['Owen Price', 'Sales', '+44 20 7946 0121'], ['Mei Chen', 'IT', '+44 20 7946 0315'], ['Lucas Ferreira', 'Finance', ''], ['Zainab Bello', 'IT', '+44 20 7946 0218'], ['Pavel Novak', 'Logistics', '+44 20 7946 0102']]


def rows_of(name):
    read(name)
    with open(name, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]


def num(cell):
    return float(cell.replace(",", "").replace("$", "").replace("€", "").replace("¥", "").strip())


def check():
    rows = rows_of("directory.csv")
    assert rows, "directory.csv is empty"
    assert [c.lower() for c in rows[0]] == EXPECTED[0], f"header is {rows[0]!r}, expected {EXPECTED[0]!r}"
    got = [(r + [""] * 3)[:3] for r in rows[1:]]
    got = [[a, b, "" if c.lower() in ("nan", "none", "null") else c] for a, b, c in got]
    names = [g[0] for g in got]
    want_names = [w[0] for w in EXPECTED[1:]]
    assert sorted(names) == sorted(want_names), f"directory.csv lists {names}, expected one row for each of {want_names}"
    for g, w in zip(sorted(got), sorted(EXPECTED[1:]), strict=True):
        assert g == w, f"row for {w[0]} is {g!r}, expected {w!r}"
    assert names == want_names, "rows are not in the order of employees.csv"


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
