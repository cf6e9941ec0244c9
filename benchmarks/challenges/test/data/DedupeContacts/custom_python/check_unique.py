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


EXPECTED = [['name', 'email', 'city'], ['Ana Costa', 'ana.costa@example.com', 'Lisbon'], ['Ben Mueller', 'ben.mueller@example.org', 'Berlin'], ['Chiara Rossi', 'chiara@rossi.example', 'Turin'], ['Ben Muller', 'ben.muller@example.org', 'Berlin'], ['Dev Patel', 'dev.patel@example.net', 'Leeds'], ['Eva Lind', 'eva.lind@example.se', 'Malmo'], ['Farah Khan', 'farah.khan@example.com', 'Dubai'], ['Dev Patel', 'dev@patel.example', 'London']]


def rows_of(name):
    read(name)
    with open(name, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]


def num(cell):
    return float(cell.replace(",", "").replace("$", "").replace("€", "").replace("¥", "").strip())


def check():
    rows = rows_of("unique_contacts.csv")
    assert rows, "unique_contacts.csv is empty"
    assert [c.lower() for c in rows[0]] == EXPECTED[0], f"header is {rows[0]!r}, expected {EXPECTED[0]!r}"
    want = [[c.strip() for c in r] for r in EXPECTED[1:]]
    assert len(rows) - 1 == len(want), f"unique_contacts.csv has {len(rows) - 1} rows, expected {len(want)}"
    assert rows[1:] == want, "the rows are not the first row of each email address, unchanged, in their original order"


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
