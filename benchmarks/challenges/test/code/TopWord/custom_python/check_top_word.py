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


STORY = 'Lantern makers came to the harbor town every autumn.\nThe harbor master let them set up stalls along the harbor road.\n"Lantern, lantern, who will buy a lantern?" the children sang.\nA fisherman bought one for his boat and hung it over the harbor steps.\nLanterns of paper, lanterns of tin: each one was painted by hand.\nLantern light is kinder than harbor light, the old makers said.\nBy night the harbor wall glowed, and the harbor cats slept under the stalls.\nLantern! shouted a boy when the first lantern, a red one, was lit.\nLantern. Harbor. Song. Those three words were all the visitors remembered of the lantern.\n'
EXPECTED = 'lantern'
WRONG = ['harbor', 'harbor', 'the']


def check():
    unchanged("story.txt", STORY)
    words = re.findall(r"[a-z]+", read("top_word.txt").lower())
    assert words, "top_word.txt holds no word"
    assert words[0] == EXPECTED, f"top_word.txt gives {words[0]!r}, not the most frequent word"
    assert not set(words) & set(WRONG), "top_word.txt names more than one candidate word"


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
