"""What the goals say an output must hold (``full``): the number of paragraphs or items they ask for, and a text
they give to write exactly."""

from __future__ import annotations

import re

from autogpt.checks.base import Situation, Stage, Verdict, check, note, refuse, writes_file
from autogpt.checks.grounding import NUMBER
from autogpt.checks.messages import UNITS, join

_HEADING = re.compile(r"^\s*(?:#{1,6}\s|\*\*[^*]+\*\*\s*$|(?:title|标题)\s*[:：])", re.IGNORECASE)
_MARKED = re.compile(r"^\s*(?:[-*•·+]|\d{1,2}[.)、]|[一二三四五六七八九十]+[、.])\s*\S")
_SEPARATORS = re.compile(r"[、,，;；]")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]")


def measure(text: str, unit: str) -> int:
    """How many paragraphs, items, lines or sentences ``text`` has, counted generously (a shortfall is sure)."""
    lines = [line for line in text.splitlines() if line.strip()]
    body = [line for line in lines if not _HEADING.match(line)]
    if unit == "line":
        return len(lines)
    if unit == "sentence":
        return len(_SENTENCE_END.findall(text)) + (0 if re.search(r"[.!?。！？]\s*$", text) else 1)
    if unit == "paragraph":
        blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip() and not all(_HEADING.match(x) for x in
                                                                                 b.strip().splitlines())]
        return max(len(blocks), len(body) if "\n\n" not in text.replace("\r", "") else 0)
    marked = [line for line in lines if _MARKED.match(line)]
    one_line = len(_SEPARATORS.split(body[0])) if len(body) == 1 else 0
    return max(len(marked), len(body), one_line)


@check("shrunk", Stage.BEFORE_TOOL, "full")
def shrunk(s: Situation) -> Verdict | None:
    """A write would replace a file of this run's with a part of what it holds (write_file replaces the whole
    file: a small model "corrects" its answer by dropping half of it)."""
    name = s.relative(str(s.args.get("path", ""))) if s.tool == "write_file" else None
    content = s.args.get("content")
    if name is None or not isinstance(content, str) or s.last_change(name) is None:
        return None
    old = s.text(name, 100_000)
    if not old or not content.strip() or len(content.strip()) >= len(old.strip()):
        return None
    old_lines = [line.strip() for line in old.splitlines() if line.strip()]
    new_lines = [line.strip() for line in content.splitlines() if line.strip()]
    part = (set(new_lines) <= set(old_lines) and len(new_lines) < len(old_lines)) if len(old_lines) > 1 \
        else content.strip() in old.strip()
    if not part:
        return None
    return refuse("shrunk", subject=name, once=True, file=name, old=len(old.strip()), new=len(content.strip()))


@check("copied_input", Stage.BEFORE_TOOL, "full")
def copied_input(s: Situation) -> Verdict | None:
    """A text written to an output is an input of the goals as it is (a file, or a text they quote), where the
    goals ask for something made from it (the lines it selects, what it computes), not a copy."""
    name = writes_file(s)
    content = s.args.get("content")
    if name is None or not isinstance(content, str) or name not in s.spec.outputs or name in s.spec.copies:
        return None
    if s.spec.computed and content.strip() and content.strip() in (text.strip() for text in s.spec.quoted):
        return refuse("copied_quote", subject=name, once=True, file=name, text=content.strip()[:80])
    written = [line.strip() for line in content.splitlines() if line.strip()]
    for source in s.spec.inputs:
        given = [line.strip() for line in (s.text(source, 200_000) or "").splitlines() if line.strip()]
        if len(given) >= 3 and len(written) >= len(given) and sum(line in written for line in given) == len(given):
            return refuse("copied_input", subject=name, once=True, file=name, source=source)
    return None


@check("stray_file", Stage.AFTER_TOOL, "full")
def stray_file(s: Situation) -> Verdict | None:
    """A file just written is none of the files the goals ask for (small models copy the files of an example)."""
    tool = s.proposed
    asked = s.spec.results
    if tool is None or not tool.writes or not s.ok or not asked:
        return None
    for name in s.changed:
        if name not in asked and not name.endswith((".py", ".sh", ".js")) and name not in s.state.inputs:
            return note("stray_file", file=name, asked=join(asked, s.lang))
    return None


@check("counts", Stage.BEFORE_FINISH, "full")
def counts(s: Situation) -> Verdict | None:
    """An output has fewer paragraphs, items or lines than the goals ask for ("three paragraphs" written as one)."""
    for count in s.spec.counts:
        text = s.text(count.file, 200_000)
        if text is None or not text.strip():
            continue  # missing: missing_outputs' matter
        have = measure(text, count.unit)
        if have < count.n:
            return refuse("count_short", subject=count.file, once=True, file=count.file, n=count.n, have=have,
                          unit=UNITS.get(s.lang, UNITS["en"])[count.unit])
    return None


def _flat(text: str) -> str:
    return " ".join(text.split())


@check("given_text", Stage.BEFORE_FINISH, "full")
def given_text(s: Situation) -> Verdict | None:
    """An output does not hold the text the goals give it word for word."""
    for name, given in s.spec.exact.items():
        text = s.text(name, 200_000)
        if text is None or not text.strip():
            continue
        if _flat(given) not in _flat(text) and _flat(given).rstrip(".。") not in _flat(text):
            return refuse("given_text", subject=name, once=True, file=name, text=given)
        lines = {line.strip() for line in text.splitlines()}
        quoted = [f"{a}{given.strip()}{b}" for a, b in _QUOTES if f"{a}{given.strip()}{b}" in lines]
        if quoted and given.strip() not in lines and not _WITH_QUOTES.search(" ".join(s.spec.goals)):
            fixed = "\n".join(given.strip() if line.strip() in quoted else line for line in text.splitlines())
            key = "given_quoted_fix" if len(fixed) <= 2_000 else "given_quoted"  # the whole text to write, when short
            return refuse(key, subject=name, once=True, file=name, text=given.strip(), line=quoted[0], fixed=fixed)
    return None


# The goals quote a text to mark where it begins and ends; a line that is the text inside those marks copied them.
_QUOTES = (("'", "'"), ('"', '"'), ("“", "”"), ("「", "」"), ("‘", "’"))
_WITH_QUOTES = re.compile(r"\b(?:with|including|keep|in) (?:the )?(?:quotes|quotation marks)\b|带(?:上)?引号|保留引号",
                          re.IGNORECASE)


@check("empty_table", Stage.BEFORE_FINISH, "full")
def empty_table(s: Situation) -> Verdict | None:
    """A table the goals ask for holds its header row alone, no rows."""
    for name in s.spec.results:
        if not name.lower().endswith((".csv", ".tsv")):
            continue
        text = s.text(name, 20_000)
        lines = [line for line in (text or "").splitlines() if line.strip()]
        if len(lines) == 1:
            return refuse("empty_table", subject=name, once=True, file=name, header=lines[0][:120])
    return None


@check("whole_copy", Stage.BEFORE_FINISH, "full")
def whole_copy(s: Situation) -> Verdict | None:
    """A file the goals say is a copy of an input lacks lines the input has (a small model copied the first one)."""
    for copy, source in s.spec.copies.items():
        given, made = s.text(source, 500_000), s.text(copy, 500_000)
        if given is None or not made:
            continue
        lines = [line.strip() for line in given.splitlines() if line.strip()]
        kept = {line.strip() for line in made.splitlines()}
        lost = [line for line in lines if line not in kept]
        if lost:
            return refuse("whole_copy", subject=copy, once=True, file=copy, source=source, have=len(lines) - len(lost),
                          total=len(lines), example=lost[0][:80])
    return None


@check("decimals", Stage.BEFORE_FINISH, "full")
def decimals(s: Situation) -> Verdict | None:
    """The goals ask for numbers with so many decimal places, and an output writes one with more or fewer (86.0 for
    two places): a decimal number with other places, or a whole number where the output is that number alone."""
    if (places := s.spec.decimals) is None:
        return None
    for name in s.spec.results:
        if name.endswith((".py", ".sh", ".js", ".json", ".yaml", ".yml", ".toml")):  # code, or data whose numbers are values
            continue
        text = (s.text(name, 20_000) or "").strip()
        found = [m.group() for m in NUMBER.finditer(text)]
        alone = len(found) == 1 and found[0] == text
        wrong = [n for n in found if ("." in n and len(n.partition(".")[2]) != places) or (alone and "." not in n)]
        if wrong:
            value = wrong[0].replace(",", "")
            return refuse("decimals", subject=name, once=True, file=name, n=places,
                          numbers=", ".join(dict.fromkeys(wrong[:3])), example=f"{float(value):.{places}f}")
    return None
