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


def check():
    text = read("invite.txt").replace("\r\n", "\n")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    assert len(paragraphs) == 3, f"invite.txt has {len(paragraphs)} paragraphs, expected exactly 3 separated by blank lines"
    first, second, third = paragraphs
    for phrase in ("Thursday, 12 June 2025", "14:00", "Room 4B"):
        assert phrase in first, f"the first paragraph does not contain {phrase!r}"
    assert "budget" in second.lower(), "the second paragraph does not ask for the budget figures"
    assert "10 June 2025" in third, "the third paragraph does not give the date 10 June 2025"
    assert re.search(r"confirm|reply|respond|rsvp", third, re.I), "the third paragraph does not ask people to confirm"


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
