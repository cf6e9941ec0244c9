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
    lines = [line.replace("：", ":") for line in lines_of("notice.txt")]
    assert lines, "notice.txt is empty"
    title = lines[0].strip("#*《》【】 ")
    assert title == "停水通知", f"the first line is {lines[0]!r}, expected 停水通知"
    body = "".join(lines[1:-1]).replace(" ", "")
    assert "2025年7月3日" in body, "the notice does not give the date 2025年7月3日"
    times = re.findall(r"(?<!\d)(\d{1,2}:\d{2})", body)
    assert "8:00" in times or "08:00" in times, "the notice does not give the start time 8:00"
    assert "18:00" in times, "the notice does not give the end time 18:00"
    assert "储水" in body or "蓄水" in body or "存水" in body, "the notice does not remind residents to store water (储水)"
    assert "阳光花园物业服务中心" in lines[-1], f"the last line is {lines[-1]!r}, expected the signature 阳光花园物业服务中心"


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
