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


EXPECTED = {'travel': 732.55, 'meals': 242.0, 'software': 360.99, 'office': 168.64, 'training': 725.5}


def rows_of(name):
    read(name)
    with open(name, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]


def num(cell):
    return float(cell.replace(",", "").replace("$", "").replace("€", "").replace("¥", "").strip())


def check():
    rows = rows_of("category_totals.csv")
    assert rows, "category_totals.csv is empty"
    assert [c.lower() for c in rows[0]] == ["category", "total"], f"header is {rows[0]!r}, expected ['category', 'total']"
    got = [(r[0].lower(), num(r[1])) for r in rows[1:] if len(r) == 2]
    assert len(got) == len(rows) - 1, "some rows do not have two columns"
    names = [g[0] for g in got]
    assert sorted(names) == sorted(EXPECTED), f"categories are {names}, expected {sorted(EXPECTED)}"
    for name, total in got:
        assert abs(total - EXPECTED[name]) < 0.006, f"the total of {name} is {total}, expected {EXPECTED[name]:.2f}"
    assert names == sorted(EXPECTED), f"rows are not in alphabetical order of category: {names}"


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
