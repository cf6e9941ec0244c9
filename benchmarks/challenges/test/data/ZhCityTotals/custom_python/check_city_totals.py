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


EXPECTED = {'成都': 5982.05, '上海': 5380.4, '北京': 6066.2, '深圳': 6085.25, '广州': 3750.8}
ORDER = ['深圳', '北京', '成都', '上海', '广州']


def rows_of(name):
    read(name)
    with open(name, newline="", encoding="utf-8-sig", errors="replace") as fh:
        return [[cell.strip() for cell in row] for row in csv.reader(fh) if any(c.strip() for c in row)]


def num(cell):
    return float(cell.replace(",", "").replace("$", "").replace("€", "").replace("¥", "").strip())


def check():
    rows = rows_of("city_totals.csv")
    assert rows, "city_totals.csv is empty"
    assert rows[0] == ["城市", "总额"], f"header is {rows[0]!r}, expected ['城市', '总额']"
    got = [(r[0], num(r[1])) for r in rows[1:] if len(r) == 2]
    assert len(got) == len(rows) - 1, "some rows do not have two columns"
    cities = [g[0] for g in got]
    assert sorted(cities) == sorted(EXPECTED), f"cities are {cities}, expected {sorted(EXPECTED)}"
    for city, total in got:
        assert abs(total - EXPECTED[city]) < 0.006, f"the total of {city} is {total}, expected {EXPECTED[city]:.2f}"
    assert cities == ORDER, f"rows are not sorted by total from high to low: {cities}"


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
