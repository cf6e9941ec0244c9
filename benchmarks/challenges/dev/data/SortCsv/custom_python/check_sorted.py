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


EXPECTED = [['name', 'department', 'salary'], ['Ivan Rossi', 'Intern', '8400'], ['Emeka Obi', 'Support', '9800'], ['Bilal Haddad', 'Support', '48500'], ['Kofi Mensah', 'Support', '51000'], ['Hana Sato', 'Marketing', '56750'], ['Dana Kowalski', 'Marketing', '61200'], ['Lena Fischer', 'Sales', '67800'], ['Farah Nasser', 'Sales', '72300'], ['Chen Wei', 'Engineering', '98000'], ['Alice Moreau', 'Engineering', '105000'], ['Goran Petrov', 'Sales', '115400'], ['Julia Santos', 'Engineering', '132000']]


def check():
    read("sorted.csv")
    with open("sorted.csv", newline="", encoding="utf-8-sig", errors="replace") as fh:
        rows = [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]
    assert rows, "sorted.csv is empty"
    assert rows[0] == EXPECTED[0], f"header is {rows[0]!r}, expected {EXPECTED[0]!r}"
    assert sorted(map(tuple, rows[1:])) == sorted(map(tuple, EXPECTED[1:])), \
        "sorted.csv does not hold exactly the rows of employees.csv"
    assert rows == EXPECTED, "rows are not sorted by salary from lowest to highest"


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
