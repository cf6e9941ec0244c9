"""Compute vs. know (``full``): a number worked out from the task's data must come from a program (or from a
file or page that states it), never from the model's head; a fact the model knows is written as it is.

Whether a goal asks for a computed result is the spec's ``computed`` (:mod:`autogpt.goal`): "How many moons
does Mars have?" is known; "How many words are in essay.txt?" is computed.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from autogpt.checks.base import (
    Situation,
    Stage,
    Verdict,
    check,
    note,
    observed,
    printed,
    printed_something,
    refuse,
    writes_file,
)

# A number not touching ASCII letters or digits (CJK text may touch it: "30天"), "1,234.50" included.
NUMBER = re.compile(r"(?<![A-Za-z0-9_.\-/:])-?\d+(?:,\d{3})*(?:\.\d+)?(?![A-Za-z0-9_\-/:]|\.\d)")
_LIST_MARK = re.compile(r"^\s*\d{1,2}[.)、]\s", re.MULTILINE)  # "1. first item": a list's numbering
# A digest or other long hexadecimal value (letters and digits both): typed, it is made up as surely as a number.
_DIGEST = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{16,}(?![0-9A-Za-z])")


def numbers(text: str) -> list[str]:
    """The numbers in ``text`` as written, without thousands separators ("1,234.50" → "1234.50"); a list's
    numbering left out."""
    return [m.group().replace(",", "") for m in NUMBER.finditer(_LIST_MARK.sub(" ", text))]


def digests(text: str) -> list[str]:
    return [m.group().lower() for m in _DIGEST.finditer(text)]


def unseen(text: str, sources: list[str]) -> list[str]:
    """The numbers and digests of ``text`` that no source shows, exactly or rounded to as many decimals as
    ``text`` writes (79.87 for 79.8666...)."""
    shown_digests = {d for source in sources for d in digests(source)}
    missing = [d for d in dict.fromkeys(digests(text)) if d not in shown_digests]
    seen = {value for source in sources for n in numbers(source) if (value := _decimal(n)) is not None}
    for written in dict.fromkeys(numbers(_DIGEST.sub(" ", text))):
        value = _decimal(written)
        if value is None or value in seen or any(_rounds_to(other, value) for other in seen):
            continue
        missing.append(written)
    return missing


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _rounds_to(seen: Decimal, value: Decimal) -> bool:
    """Whether ``seen`` rounded half up to the places ``value`` has is ``value``."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        return False
    try:
        return seen.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP) == value
    except InvalidOperation:
        return False


def _typed(s: Situation, name: str, text: str) -> list[str]:  # noqa: ARG001
    """Numbers of an output's ``text`` that no command showed, the goals' own numbers left out."""
    return unseen(text, observed(s))


def _shown(found: list[str]) -> str:
    return ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")


@check("typed_numbers", Stage.AFTER_TOOL, "full")
def typed_numbers(s: Situation) -> Verdict | None:
    """A number just typed into an output of a computing goal was shown by no command: it is likely wrong."""
    name = writes_file(s)
    content = s.args.get("content")
    if not s.spec.computed or not s.ok or name is None or name not in s.spec.results or name.endswith(".py"):
        return None
    found = _typed(s, name, content if isinstance(content, str) else "")
    if not found:
        return None
    return note("typed_numbers", numbers=_shown(found), file=name, it="it" if len(found) == 1 else "them")


_PROGRAM = re.compile(r"^\s*(?:import \w|from \w[\w.]* import |def \w+\(|print\()", re.MULTILINE)


@check("code_as_result", Stage.BEFORE_TOOL, "full")
def code_as_result(s: Situation) -> Verdict | None:
    """A program written where a computing goal wants its result: it is to be run, and what it prints written."""
    name = writes_file(s)
    content = s.args.get("content")
    if (not s.spec.computed or s.spec.code or name is None or name not in s.spec.results or not isinstance(content, str)
            or name.endswith((".py", ".ipynb", ".sh", ".js", ".md")) or len(_PROGRAM.findall(content)) < 1):
        return None
    try:
        compile(content, name, "exec")
    except (SyntaxError, ValueError):
        return None
    return refuse("code_as_result", subject=name, once=True, file=name)


_ONE_VALUE = re.compile(r"-?\d+(?:[.,]\d+)*|[0-9a-fA-F]{16,}")


def typed_answers(s: Situation, longest: int | None = None) -> dict[str, str]:
    """``{output: its text}`` when every non-code output of the goals is a short answer (three lines at most, and
    ``longest`` characters when given) that the model typed with a writing command; ``{}`` when one was made by a
    program or is longer, or when there are none."""
    answers: dict[str, str] = {}
    for name in s.spec.results:
        if name.endswith((".py", ".sh", ".js")):
            continue
        last = s.last_change(name)
        tool = s.tool_of(last.tool) if last is not None else None
        text = s.text(name, 20_000) or ""
        if (tool is None or not tool.writes or tool.runs_code or len(text.splitlines()) > 3
                or (longest is not None and len(text.strip()) > longest)):
            return {}
        answers[name] = text
    return answers


@check("printed_unwritten", Stage.BEFORE_FINISH, "full")
def printed_unwritten(s: Situation) -> Verdict | None:
    """The last program of a computing goal printed one value alone, after the model typed the outputs (short
    ones), and no output holds it: the answer was worked out and never written (small models believe they wrote it)."""
    if not s.spec.computed or not (texts := typed_answers(s)):
        return None
    last = next((act for act in reversed(s.acts) if act.executed and (tool := s.tool_of(act.tool)) is not None
                 and (tool.runs_code or tool.writes)), None)
    tool = s.tool_of(last.tool) if last is not None else None
    if last is None or tool is None or not tool.runs_code or not last.ok or last.changed:
        return None
    value = printed(last.output)
    if not _ONE_VALUE.fullmatch(value):
        return None
    if any(value in text or value.replace(",", "") in text.replace(",", "") for text in texts.values()):
        return None
    name = next(iter(texts))
    return refuse("printed_unwritten", subject=name, once=True, file=name, value=value,
                  have=texts[name].strip()[:60])


def typed_outputs(s: Situation) -> dict[str, list[str]]:
    """``{output: its numbers no command showed}`` for a computing goal's outputs the model typed."""
    found: dict[str, list[str]] = {}
    if not s.spec.computed:
        return found
    for name in s.spec.results:
        last = s.last_change(name)
        tool = s.tool_of(last.tool) if last is not None else None
        if name.endswith(".py") or tool is None or not tool.writes:  # made by a program, or not by this run
            continue
        text = s.text(name, 20_000)
        if text and (typed := _typed(s, name, text)):
            found[name] = typed
    return found


@check("unseen_numbers", Stage.BEFORE_FINISH, "full")
def unseen_numbers(s: Situation) -> Verdict | None:
    """An output of a computing goal holds a number no command showed, typed by the model."""
    for name, found in typed_outputs(s).items():
        return refuse("unseen_numbers", subject=name, once=True, file=name, numbers=_shown(found))
    return None


@check("uncomputed", Stage.BEFORE_FINISH, "full")
def uncomputed(s: Situation) -> Verdict | None:
    """The goals ask for a result no file states (a sum, an average, a calculation), and no program has run to its
    end in the whole run and printed or written anything: the short answer typed was worked out in the model's head
    (or read off the wrong row)."""
    if not s.spec.derived or s.spec.code:
        return None
    if any(act.executed and act.ok and (tool := s.tool_of(act.tool)) is not None and tool.runs_code
           and (act.changed or printed_something(act.output)) for act in s.acts):
        return None  # a program ran to its end and showed or wrote something
    if not (answers := typed_answers(s, longest=200)):
        return None
    name, text = next(iter(answers.items()))
    text = text.strip()
    if any(s.state.refused.get(f"{said}:{name}") for said in ("unseen_numbers", "printed_unwritten")):
        return None  # told to compute it already
    return refuse("uncomputed", subject=name, once=True, file=name, have=text[:60])
