"""Checker: prints PASS when the workspace holds a correct answer, otherwise FAIL and why."""
import hashlib
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


EXPECTED = 'd3537ea2723c33208952e7badc1c98bb'


def check():
    with open("release_notes.txt", "rb") as fh:
        assert hashlib.md5(fh.read()).hexdigest() == EXPECTED, "release_notes.txt was changed"
    digests = [d.lower() for d in re.findall(r"\b[0-9a-fA-F]{32}\b", read("checksum.txt"))]
    assert digests, "checksum.txt holds no 32-character hexadecimal digest"
    assert EXPECTED in digests, f"checksum.txt gives {digests[0]}, not the MD5 of release_notes.txt"
    assert len(set(digests)) == 1, "checksum.txt gives more than one digest"


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
