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


ENGLISH = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
CHINESE = ['一', '二', '三', '四', '五', '六', '日']
EXPECTED = '三'


def check():
    text = read("weekday.txt")
    names = re.findall(r"(?:星期|周|礼拜)([一二三四五六日天])", text)
    english = [d for d in ENGLISH if d.lower() in text.lower()]
    answers = set(n.replace("天", "日") for n in names) | set(CHINESE[ENGLISH.index(d)] for d in english)
    assert answers, f"weekday.txt names no weekday: {text.strip()!r}"
    assert answers == {EXPECTED}, f"weekday.txt gives {sorted(answers)}, expected 星期{EXPECTED}"


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
