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


EXPECTED = [('Kenya', 'Africa'), ('Japan', 'Asia'), ('Brazil', 'South America'), ('Norway', 'Europe'), ('Canada', 'North America'), ('Australia', 'Oceania'), ('Peru', 'South America'), ('Vietnam', 'Asia'), ('Morocco', 'Africa'), ('Mexico', 'North America'), ('Poland', 'Europe'), ('New Zealand', 'Oceania'), ('Argentina', 'South America'), ('Thailand', 'Asia'), ('Ghana', 'Africa'), ('Portugal', 'Europe')]


def rows_of(name):
    read(name)
    with open(name, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]


def num(cell):
    return float(cell.replace(",", "").replace("$", "").replace("€", "").replace("¥", "").strip())


def check():
    rows = rows_of("labelled.csv")
    assert rows, "labelled.csv is empty"
    assert [c.lower() for c in rows[0]] == ["country", "continent"], f"header is {rows[0]!r}, expected ['country', 'continent']"
    countries = [r[0] for r in rows[1:]]
    assert countries == [c for c, _ in EXPECTED], f"countries are {countries}, expected the countries of countries.csv in order"
    wrong = [f"{r[0]}: {r[1] if len(r) > 1 else ''}" for r, (c, label) in zip(rows[1:], EXPECTED, strict=True)
             if len(r) < 2 or " ".join(r[1].split()).lower() != label.lower()]
    assert not wrong, f"wrong or missing continents: {wrong}"


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
