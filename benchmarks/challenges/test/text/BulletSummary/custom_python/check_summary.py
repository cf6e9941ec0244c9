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


ARTICLE = 'Riverside to launch bike-sharing scheme in September\n\nThe town council of Riverside has approved a bike-sharing scheme that will start on 1 September. In its first\nphase, 400 bicycles will be available at 35 stations across the town, most of them near bus stops, schools and the\nrailway station. A quarter of the bicycles will be electric, to help riders with the steep streets of the old town.\n\nRiders will unlock a bicycle with a phone app or a contactless card. A ride costs 1.50 euros for each 30 minutes,\nand an annual pass with unlimited rides of up to 45 minutes costs 60 euros. Students and people over 65 will get\nthe annual pass for half price.\n\nThe scheme will cost the town 1.2 million euros over five years. The council expects to cover most of this through\nfees and advertising on the stations. Councillor Maria Lopes said the aim was to cut short car trips in the centre,\nwhich make up almost a third of all traffic there. If the first year goes well, the council plans to add 20 more\nstations in the outer districts in 2027.\n\nLocal shop owners are divided. Some welcome more visitors on bicycles, while others worry about losing parking\nspaces: twelve car parking spaces on Market Street will be replaced by a station.\n'


def check():
    unchanged("article.txt", ARTICLE)
    lines = lines_of("summary.txt")
    assert len(lines) == 3, f"summary.txt has {len(lines)} non-empty lines, expected exactly 3 bullets"
    bad = [line for line in lines if not line.startswith("- ")]
    assert not bad, f"these lines do not start with '- ': {bad}"
    long = [len(line[2:].split()) for line in lines if len(line[2:].split()) > 25]
    assert not long, f"some bullets have more than 25 words: {long}"
    short = [line for line in lines if len(line[2:].split()) < 4]
    assert not short, f"some bullets are too short to say anything: {short}"
    text = " ".join(lines).lower()
    assert "bike" in text or "bicycle" in text, "the summary does not mention the bikes"
    facts = [fact for fact in ("400", "35", "september", "1.50", "60") if fact in text]
    assert len(facts) >= 2, f"the summary keeps fewer than two key facts of the article (found: {facts})"


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
