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
    text = read("translation.txt")
    han = re.findall(r"[\u4e00-\u9fff]", text)
    latin = re.findall(r"[A-Za-z]{3,}", text)
    assert len(han) >= 12, "translation.txt is not a Chinese translation"
    assert not latin, f"translation.txt still contains English words: {latin}"
    assert "博物馆" in text, "the translation does not mention the museum (博物馆)"
    assert re.search(r"(星期|周|礼拜)一", text), "the translation does not say Monday (周一/星期一)"
    assert "40" in text or "四十" in text, "the translation does not give the price 40"
    assert re.search(r"(六|6)\s*(岁|周岁)", text), "the translation does not say six years old (六岁)"
    assert "免费" in text or "免票" in text, "the translation does not say free (免费)"
    assert "儿童" in text or "孩子" in text or "小孩" in text, "the translation does not mention children (儿童)"


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
