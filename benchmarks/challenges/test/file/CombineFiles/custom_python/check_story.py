"""Checker: prints PASS when the workspace holds a correct answer, otherwise FAIL and why."""
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


PART1 = 'Chapter 1: The Lighthouse\n\nThe keeper climbed the ninety steps every evening at dusk.\nHe trimmed the wick, polished the lens and wrote the weather in his logbook.\n'
PART2 = 'Chapter 2: The Storm\n\nOn the third night of November the wind tore the shutters from the kitchen window.\nBy morning a fishing boat lay on the rocks below the tower, its crew safe in his kitchen.\n'


def check():
    unchanged("part1.txt", PART1)
    unchanged("part2.txt", PART2)
    got = lines_of("story.txt")
    want = [line.strip() for line in (PART1 + "\n" + PART2).splitlines() if line.strip()]
    assert got == want, "story.txt is not the lines of part1.txt followed by the lines of part2.txt"


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
