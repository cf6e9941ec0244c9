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


FAQ = '# 配送与运费说明\n\n- 订单实付金额满 99 元，免运费（偏远地区除外）。\n- 订单实付金额不满 99 元，每单收取运费 8 元。\n- 新疆、西藏、青海为偏远地区：每单运费 20 元，不参加免运费活动。\n- 选择顺丰加急配送的，在上述运费基础上另加 12 元。\n- 一般地区下单后 48 小时内发货，偏远地区 72 小时内发货。\n'


def check():
    unchanged("faq.md", FAQ)
    text = read("answer.txt")
    found = numbers(text)
    assert 8 in found, f"answer.txt does not give the shipping fee of 8 yuan (numbers found: {found})"
    wrong = [n for n in found if n in (20, 12, 28, 0)]
    assert not wrong, f"answer.txt also gives {wrong}, which is not the fee for this order"
    assert "免运费" not in text or "不" in text, "answer.txt says the order ships free"


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
