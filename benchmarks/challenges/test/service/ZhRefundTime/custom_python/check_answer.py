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


POLICY = '# 退款说明\n\n退款审核通过后，款项将按原支付方式退回：\n\n- 微信支付、支付宝：1-3 个工作日到账；\n- 银行卡（借记卡）：3-5 个工作日到账；\n- 信用卡：7-15 个工作日到账，具体以发卡银行为准；\n- 礼品卡：审核通过后立即退回礼品卡余额。\n\n如超过上述时间仍未到账，请联系在线客服并提供订单号。\n'


def check():
    unchanged("policy.md", POLICY)
    text = read("answer.txt")
    found = [abs(n) for n in numbers(text)]
    chinese = {"七": 7, "十五": 15}
    for word, value in chinese.items():
        if word in text:
            found.append(value)
    assert 7 in found and 15 in found, f"answer.txt does not give 7 to 15 working days (numbers found: {found})"
    assert "工作日" in text or "working day" in text.lower(), "answer.txt does not say working days (工作日)"
    wrong = [n for n in found if n in (1, 3, 5)]
    assert not wrong, f"answer.txt also gives {wrong}, the times for other payment methods"


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
