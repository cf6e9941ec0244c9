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


STORE = '# 门店信息\n\n## 营业时间\n\n- 周一至周五：9:00-21:00\n- 周六：9:00-22:00\n- 周日：10:00-20:00\n- 春节期间（除夕至初三）暂停营业。\n\n## 地址与停车\n\n门店位于滨江路 88 号一楼。顾客凭当天购物小票可免费停车 2 小时。\n'


def check():
    unchanged("store.md", STORE)
    text = read("answer.txt").replace("：", ":")
    times = {f"{int(h)}:{m}" for h, m in re.findall(r"(?<!\d)(\d{1,2}):(\d{2})", text)}
    times |= {f"{int(h)}:00" for h in re.findall(r"(?<![\d:])(\d{1,2})\s*点", text)}
    times |= {"8:00"} if re.search(r"(晚上|下午)\s*(8|八)\s*点", text) else set()
    assert "20:00" in times or "8:00" in times, f"answer.txt does not give the Sunday closing time 20:00 (times found: {sorted(times)})"
    wrong = times & {"21:00", "22:00"}
    assert not wrong, f"answer.txt gives the closing time of other days: {sorted(wrong)}"


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
