"""Checker: prints PASS when the workspace holds a correct answer, otherwise FAIL and why."""
import json
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


EXPECTED = [{'title': 'The Salt Road', 'author': 'Amina Yusuf', 'year': 2011, 'pages': 342}, {'title': 'Winter, Again', 'author': 'Lars Holm', 'year': 1998, 'pages': 210}, {'title': 'Paper Moons', 'author': 'Ines Duarte', 'year': 2020, 'pages': 188}, {'title': 'Notes on "Silence"', 'author': 'Kwame Asante', 'year': 2005, 'pages': 97}, {'title': 'The Glass Orchard', 'author': 'Mira Kovac', 'year': 2016, 'pages': 455}, {'title': 'Small Hours', 'author': 'Tom Reyes', 'year': 1987, 'pages': 264}]


def check():
    data = json.loads(read("books.json"))
    assert isinstance(data, list), "books.json does not hold a JSON array"
    assert len(data) == len(EXPECTED), f"books.json holds {len(data)} items, expected {len(EXPECTED)}"
    for got, want in zip(data, EXPECTED, strict=True):
        assert isinstance(got, dict), f"item {got!r} is not an object"
        assert set(got) == set(want), f"keys are {sorted(got)}, expected {sorted(want)}"
        for key in ("title", "author"):
            assert got[key] == want[key], f"{key} is {got[key]!r}, expected {want[key]!r}"
        for key in ("year", "pages"):
            value = got[key]
            assert isinstance(value, (int, float)) and not isinstance(value, bool), \
                f"{key} of {want['title']!r} is {value!r}, not a number"
            assert value == want[key], f"{key} of {want['title']!r} is {value!r}, expected {want[key]}"


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
