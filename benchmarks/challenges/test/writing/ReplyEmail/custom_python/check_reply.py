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


EMAIL = 'From: Priya Nair <priya.nair@example.com>\nTo: support@hallmark-furniture.example\nSubject: Where is my bookcase? (order 48213)\n\nHello,\n\nI ordered the Alder bookcase on 2 March and the confirmation said it would arrive by 7 March.\nIt is now 10 March and nothing has arrived, and the tracking page has not changed for five days.\nCould you please tell me what is going on and when I can expect it?\n\nThank you,\nPriya Nair\n'
SUBJECT = 'Subject: Re: Where is my bookcase? (order 48213)'


def check():
    unchanged("email.txt", EMAIL)
    lines = lines_of("reply.txt")
    assert lines, "reply.txt is empty"
    subject = " ".join(lines[0].split())
    assert subject.lower() == SUBJECT.lower(), f"the first line is {lines[0]!r}, expected {SUBJECT!r}"
    text = " ".join(read("reply.txt").split())
    assert "Dear Priya Nair," in text, "the reply does not greet the customer with 'Dear Priya Nair,'"
    assert "48213" in " ".join(lines[1:]), "the reply does not mention the order number 48213 (beyond the subject)"
    assert "14 March 2025" in text, "the reply does not give the new delivery date 14 March 2025"
    assert "SORRY10" in text, "the reply does not give the discount code SORRY10"
    assert re.search(r"sorry|apolog", text, re.I), "the reply does not apologise"
    assert lines[-1].rstrip(".") == "Tom Berger", f"the last line is {lines[-1]!r}, expected 'Tom Berger'"
    assert len(lines) >= 2 and lines[-2].lower() == "kind regards,", f"the line before the name is {lines[-2]!r}, expected 'Kind regards,'"


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
