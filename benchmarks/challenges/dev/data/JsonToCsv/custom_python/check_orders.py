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


EXPECTED = [{'id': 501, 'customer': 'Nadia Haddad', 'total': 84.5, 'items': 3}, {'id': 502, 'customer': 'Okafor, Chidi', 'total': 19.99, 'items': 1}, {'id': 503, 'customer': 'Lena Vogt', 'total': 240.0, 'items': 7}, {'id': 504, 'customer': 'Park, Ji-woo', 'total': 62.35, 'items': 2}, {'id': 505, 'customer': 'Tomás Rivera', 'total': 8.75, 'items': 1}]


def check():
    read("orders.csv")
    with open("orders.csv", newline="", encoding="utf-8-sig", errors="replace") as fh:
        rows = [[c.strip() for c in row] for row in csv.reader(fh) if any(c.strip() for c in row)]
    assert rows and [c.lower() for c in rows[0]] == ["id", "customer", "total"], f"header is {rows[:1]}, expected id,customer,total"
    assert len(rows) - 1 == len(EXPECTED), f"orders.csv has {len(rows) - 1} rows, expected {len(EXPECTED)}"
    for row, want in zip(rows[1:], EXPECTED, strict=True):
        assert len(row) == 3, f"the row {row!r} does not have three columns (is the name quoted?)"
        assert float(row[0]) == want["id"] and row[1] == want["customer"] and abs(float(row[2]) - want["total"]) < 0.005, \
            f"the row {row!r} does not match order {want['id']}"


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
