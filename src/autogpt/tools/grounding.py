"""Where the numbers the model types come from.

Asked to compute something from data, small models read the file and type a plausible number instead of
running code: the embedded model wrote an average of 10.2 for a column whose average is 6.0, and a count of 38
for 13 rows. A number is *grounded* when the goals, a command's output (a program's print, a file read) or a
fact the run was given shows it, rounded or not. ``write_file`` and ``append_file`` note the numbers they
type that are not; ``finish`` refuses once while an output file still holds them, for goals that ask for a
computation (see :func:`asks_to_compute`).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# A number on its own: not a piece of a date, a time, a version, a path or a word ("2024-01-05", "v2", "a1.txt").
_NUMBER = re.compile(r"(?<![\w.\-/:])-?\d+(?:,\d{3})*(?:\.\d+)?(?![\w\-/:]|\.\d)")
_COMPUTE = re.compile(
    r"\b(?:comput\w*|calculat\w*|sum|total|average|mean|median|count|how many|how much|number of|round\w*|"
    r"statistic\w*|maximum|minimum|largest|smallest|highest|lowest)\b|计算|统计|平均|总和|合计|总数|总额|多少|几个|最大|最小|最高|最低",
    re.IGNORECASE,
)

NOTED = "typed_numbers"  # ToolContext.extras: {relative path: [numbers typed into it that nothing showed]}


def numbers(text: str) -> list[str]:
    """The numbers in ``text`` as written ("1,234.50" → "1234.50")."""
    return [match.group().replace(",", "") for match in _NUMBER.finditer(text)]


# A digest or other long hexadecimal value (letters and digits both): typed, it is made up as surely as a number.
_DIGEST = re.compile(r"(?<!\w)(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{16,}(?!\w)")


def digests(text: str) -> list[str]:
    """The long hexadecimal values in ``text``, lowercased. Sha256Hash, run 25: the model typed the MD5 of an empty
    string as the digest, printed the right one with a program, and finished."""
    return [match.group().lower() for match in _DIGEST.finditer(text)]


def values(text: str) -> list[str]:
    """What ``text`` holds that a program works out: its numbers, then its digests."""
    return numbers(text) + digests(text)


_FILE = re.compile(r"[\w./-]+\.[A-Za-z]{1,5}\b")  # "count.txt" names a file; it does not ask to count


def asks_to_compute(goals: list[str]) -> bool:
    """Whether the goals ask for a number worked out from something (a sum, an average, a count...)."""
    return any(_COMPUTE.search(_FILE.sub(" ", goal)) for goal in goals)


_OWN_NOTE = re.compile(r"^Note: .*$", re.MULTILINE)


def without_notes(text: str) -> str:
    """``text`` (a command's output) without the notes the tools add to it: they quote the numbers they doubt
    ("answer.txt still holds 140, which you typed"), and WordCount's model then wrote 140 again, grounded by the
    very note."""
    return _OWN_NOTE.sub("", text)


def shown_by(ok: bool, output: str) -> str:
    """What a step showed the model, as the grounding of the numbers it types: a command's output; of a failed
    command, only what a program printed before it failed (InventoryReport, run 26: the four right item lines printed
    before a NameError, then typed, were called made up). Not an error itself: a refusal quotes the very numbers it
    doubts."""
    if ok:
        return output
    if "--- stdout ---" not in output:
        return ""
    return output.split("--- stdout ---", 1)[1].split("--- stderr ---", 1)[0].strip()


def ungrounded(text: str, sources: list[str]) -> list[str]:
    """The numbers in ``text`` that no source shows, exactly or rounded to as many decimals as ``text`` has, and the
    digests none shows (lowercased), digests first."""
    seen = {_decimal(n) for source in sources for n in numbers(source)} - {None}
    shown = {digest for source in sources for digest in digests(source)}
    missing = [digest for digest in dict.fromkeys(digests(text)) if digest not in shown]
    for written in dict.fromkeys(numbers(text)):
        value = _decimal(written)
        if value is None:
            continue
        places = Decimal(1).scaleb(value.as_tuple().exponent) if isinstance(value.as_tuple().exponent, int) else None
        if value in seen or (places is not None and any(_rounds_to(s, value, places) for s in seen)):
            continue
        missing.append(written)
    return missing


def rounds_to_any(number: str, written: list[str]) -> bool:
    """Whether ``number`` rounded to the places of one of ``written`` is that number: 79.86666 is 79.87 written."""
    value = _decimal(number)
    for other in written:
        shown = _decimal(other)
        if value is None or shown is None or not isinstance(shown.as_tuple().exponent, int):
            continue
        try:
            if value.quantize(Decimal(1).scaleb(shown.as_tuple().exponent), rounding=ROUND_HALF_UP) == shown:
                return True
        except InvalidOperation:
            continue
    return False


_PLACES_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                 "五": 5}
# "rounded to 1 decimal", "with two decimals", "to 2 decimal places"; 保留两位小数, 精确到小数点后一位
_ASKED_PLACES = re.compile(r"\b([1-5]|one|two|three|four|five)[ -]decimals?\b|\b([1-5]|one|two|three|four|five) decimal "
                           r"(?:places?|digits?)\b|(?:保留|精确到|小数点后)\s*(?:小数点后)?\s*([1-5一二两三四五])\s*位",
                           re.IGNORECASE)


def asked_places(goals: list[str]) -> int | None:
    """How many decimals the goals ask a number to be written with ("rounded to 1 decimal", 保留两位小数); None when
    they do not say (or say two different things)."""
    found = {match.group(1) or match.group(2) or match.group(3) for goal in goals for match in _ASKED_PLACES.finditer(goal)}
    places = {int(word) if word.isdigit() else _PLACES_WORDS[word.lower()] for word in found}
    return places.pop() if len(places) == 1 else None


def misplaced(text: str, places: int) -> list[str]:
    """The numbers of ``text`` not written with ``places`` decimals: more of them (6.038095238095238 for "rounded
    to 1 decimal": AverageTemp, the learning benchmark, 2026-12-02), or fewer but some (12.5 for two decimals); a
    whole number too when it is all the text holds (6 for 6.0)."""
    found = numbers(text)
    alone = len(found) == 1 and only_numbers(text)
    wrong = []
    for number in dict.fromkeys(found):
        have = len(number.partition(".")[2])
        if have > places or 0 < have < places or (have == 0 and alone and places):
            wrong.append(number)
    return wrong


_NOT_NUMBERS = re.compile(r"[^\d\s.,;+\-]")


def only_numbers(text: str) -> bool:
    """Whether ``text`` holds numbers alone (and blanks, separators, signs): a file that is an answer."""
    return not _NOT_NUMBERS.search(text)


def cut_from(number: str, sources: list[str]) -> str:
    """A number the ``sources`` show of which ``number`` is the start, cut short rather than rounded (79.86 of
    79.86666666666666, whose rounding is 79.87: ZhAverageScore, run 27, wrote 79.86 five times); "" if none."""
    whole, dot, places = number.partition(".")
    if not dot or not places:
        return ""
    for source in sources:
        for shown in numbers(source):
            if (shown.startswith(number) and len(shown) > len(number) + 1
                    and rounded(shown, len(places)) != number):
                return shown
    return ""


def cut_note(typed: list[str], sources: list[str]) -> tuple[str, int]:
    """Says that a typed number is a shown one cut short, not rounded (79.86 for 79.8666...), and what rounding
    gives, with the number of decimals; ("", 0) when none is."""
    for number in typed:
        if shown := cut_from(number, sources):
            places = len(number.partition(".")[2])
            return (f"{number} is {shown} cut short, not rounded: rounded to {places} decimal{'s' * (places > 1)} it is "
                    f"{rounded(shown, places)}", places)
    return "", 0


def rounded(number: str, places: int) -> str:
    """``number`` rounded half up to ``places`` decimals, as written ("79.87"); unchanged if it is not a number."""
    value = _decimal(number)
    if value is None:
        return number
    try:
        return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return number


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _rounds_to(seen: Decimal | None, value: Decimal, places: Decimal) -> bool:
    if seen is None:
        return False
    try:
        return abs(seen - value) <= places / 2  # half a unit of the last written place: 6.0416 shows 6.0 and 6.04
    except InvalidOperation:
        return False


# Words that say nothing about which sentence answers a goal.
_COMMON = set("""a an and are as at be by for from how in is it its of on or so than that the this to was what when
where which who with write only number file named page pages site web start find out tell tells many much""".split())
_URL_OR_FILE = re.compile(rf"https?://\S+|{_FILE.pattern}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|\n+")


def _terms(text: str) -> set[str]:
    """The words of ``text`` that can tie a sentence to a goal: not numbers, not common words; Chinese in pairs."""
    text = _URL_OR_FILE.sub(" ", text).casefold()
    words = {w for w in re.findall(r"[a-z0-9]+", text) if not w.isdigit() and w not in _COMMON and len(w) > 1}
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        words.update(run[i:i + 2] for i in range(len(run) - 1))
    return words


def closer_sentence(goals: str, pages: list[str], number: str) -> tuple[str, str] | None:
    """For a ``number`` the ``pages`` give: the sentence that gives it, and a sentence like it (most of their words
    the same) that gives another number and shares more words with the ``goals``; None when there is none.
    WebFollowLink's model read "The warranty of the Orbit X1 lasts 18 months. The warranty of the Orbit X2 lasts
    30 months." and wrote 18 for the goals' Orbit X2. (WebFact's year, 1994, is in a sentence about the founding,
    and the chief executive's in another about 2019: not alike, so not asked about.)"""
    wanted = _terms(goals)
    value = _decimal(number)
    holders: list[tuple[set[str], str]] = []
    others: list[tuple[set[str], str]] = []
    for page in pages:
        for sentence in _SENTENCE_END.split(page):
            given = {_decimal(n) for n in numbers(sentence)} - {None}
            if given:
                (holders if value in given else others).append((_terms(sentence), sentence.strip()))
    for held, text in holders:
        alike = [(len(terms & wanted), other) for terms, other in others
                 if len(held & terms) * 2 > len(held | terms) and len(terms & wanted) > len(held & wanted)]
        if alike:
            return text, max(alike, key=lambda pair: pair[0])[1]
    return None
