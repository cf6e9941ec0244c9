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


ORIGINAL = '会议纪要（2025年4月8日）\n\n1. 新版官网定于五月中旬上线，由市场部负责内容审核。\n2. 客服热线从下周起延长到晚上九点。\n3. 下一次例会改在周四下午两点，地点仍是三楼会议室。\n'


def check():
    unchanged("notes.txt", ORIGINAL)
    copy = read("notes_copy.txt").replace("\r\n", "\n").rstrip("\n")
    assert copy == ORIGINAL.rstrip("\n"), "notes_copy.txt does not hold exactly the content of notes.txt"


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
