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


EXPECTED = [('Hugo Lambert', 425.4), ('Finn Larsen', 405.55), ('Elif Yilmaz', 374.69), ('Carmen Ruiz', 319.09), ('Bruno Keller', 299.9), ('Amara Diallo', 293.75), ('Dmitri Volkov', 89.75), ('Grace Okafor', 0.0)]


def check():
    read("customer_totals.csv")
    with open("customer_totals.csv", newline="", encoding="utf-8-sig", errors="replace") as fh:
        rows = [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]
    assert rows, "customer_totals.csv is empty"
    assert [c.lower() for c in rows[0]] == ["name", "total"], f"header is {rows[0]!r}, expected name,total"
    got = []
    for row in rows[1:]:
        assert len(row) == 2, f"row {row!r} does not have 2 columns"
        got.append((row[0], float(row[1].replace(",", "").lstrip("$"))))
    want_names = [n for n, _ in EXPECTED]
    assert sorted(n for n, _ in got) == sorted(want_names), \
        f"customers are {sorted(n for n, _ in got)}, expected {sorted(want_names)}"
    want = dict(EXPECTED)
    for name, total in got:
        assert abs(total - want[name]) < 0.005, f"total for {name} is {total}, expected {want[name]:.2f}"
    assert [n for n, _ in got] == want_names, "rows are not sorted by total from highest to lowest"


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
