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
    lines = read("README.md").splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    assert first == "# csvpeek", f"the first line is {first!r}, expected '# csvpeek'"
    sections, current = {}, None
    for line in lines:
        heading = re.match(r"##\s+(.+?)\s*$", line.strip())
        if heading and not line.strip().startswith("###"):
            current = heading.group(1).strip().lower()
            sections[current] = []
        elif current:
            sections[current].append(line)
    order = [name for name in sections if name in ("installation", "usage", "license")]
    assert order == ["installation", "usage", "license"], \
        f"the '## ' sections found are {list(sections)}; expected Installation, Usage and License in this order"
    body = {name: " ".join(" ".join(text).split()) for name, text in sections.items()}
    assert "pip install csvpeek" in body["installation"], "the Installation section does not contain pip install csvpeek"
    assert "csvpeek data.csv --rows 5" in body["usage"], "the Usage section does not contain csvpeek data.csv --rows 5"
    assert "mit" in body["license"].lower(), "the License section does not name the MIT License"


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
