"""Tables (``full``): rows a run copies from an input table keep their values as the input writes them."""

from __future__ import annotations

import csv
import io

from autogpt.checks.base import Situation, Stage, Verdict, check, note

_SEPARATORS = {".csv": ",", ".tsv": "\t"}
_MAX_BYTES = 500_000


def _rows(s: Situation, name: str) -> list[list[str]]:
    separator = _SEPARATORS.get(name[name.rfind("."):].lower())
    text = s.text(name, _MAX_BYTES) if separator else None
    if not text:
        return []
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=separator or ",") if row]
    except csv.Error:
        return []


def _same_number(a: str, b: str) -> bool:
    try:
        return a != b and float(a) == float(b)
    except ValueError:
        return False


def rewritten(s: Situation, name: str) -> tuple[str, str, str] | None:
    """``(a value of the output, the same value as an input writes it, the input)`` when the output table holds a
    row of an input table (same first cell) with a number written another way (120.5 for 120.50)."""
    out = _rows(s, name)
    for source in s.spec.inputs:
        rows = {row[0]: row for row in _rows(s, source)[1:]}
        for row in out[1:]:
            given = rows.get(row[0])
            if given is None or len(given) != len(row):
                continue
            for mine, theirs in zip(row, given, strict=True):
                if _same_number(mine, theirs):
                    return mine, theirs, source
    return None


@check("kept_values", Stage.AFTER_TOOL, "full")
def kept_values(s: Situation) -> Verdict | None:
    """A table just written holds an input's row with a number written otherwise (pandas writes 120.50 as 120.5)."""
    for name in s.changed:
        if name in s.spec.results and (found := rewritten(s, name)):
            mine, theirs, source = found
            return note("kept_values", file=name, mine=mine, theirs=theirs, source=source)
    return None
