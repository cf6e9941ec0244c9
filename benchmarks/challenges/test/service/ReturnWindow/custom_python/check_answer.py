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


FAQ = '# Help centre: returns and refunds\n\n## How long do I have to return an item?\n\nMost items can be returned within 30 days of delivery.\nElectronics (headphones, speakers, phones, tablets, cameras and their accessories) can be returned within 14 days\nof delivery, and only in their original packaging.\nItems bought in the clearance sale cannot be returned.\n\n## When do I get my money back?\n\nWe refund the full price within 5 business days after the returned item reaches our warehouse.\n\n## Who pays for return shipping?\n\nReturn shipping is free for members of our Plus programme. Everyone else pays a flat fee of 4.95 euros,\nwhich is taken from the refund.\n'


def check():
    unchanged("faq.md", FAQ)
    text = read("answer.txt")
    found = numbers(text)
    assert 14 in found, f"answer.txt does not give the 14-day return period for electronics (numbers found: {found})"
    if 30 in found:
        assert re.search(r"electronic|headphone", text, re.I), \
            "answer.txt gives the general 30-day period without saying that headphones have 14 days"


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
