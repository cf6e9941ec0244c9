"""Checker: prints PASS when the workspace holds a correct answer, otherwise FAIL and why."""
import contextlib
import io
import os
import re
import runpy
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
    assert os.path.isdir(os.path.join("project", "src")), "the folder project/src does not exist"
    main = os.path.join("project", "src", "main.py")
    read(main)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(main, run_name="__main__")
    printed = out.getvalue().strip()
    assert printed == "Hello from project", f"project/src/main.py prints {printed!r}, expected 'Hello from project'"
    readme = lines_of(os.path.join("project", "README.md"))
    assert readme and readme[0] == "# Demo Project", f"the first line of project/README.md is {readme[:1]}"
    version = read(os.path.join("project", "VERSION")).strip()
    assert version == "0.1.0", f"project/VERSION holds {version!r}, expected 0.1.0"
    reqs = [line.lower() for line in lines_of(os.path.join("project", "requirements.txt"))]
    assert sorted(reqs) == ["pyyaml", "requests"], f"project/requirements.txt lists {reqs}, expected requests and pyyaml"


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
