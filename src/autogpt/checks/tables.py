"""Tables (``full``): rows a run copies from an input table keep their values as the input writes them."""

from __future__ import annotations

import csv
import io
import re

from autogpt.checks.base import Situation, Stage, Verdict, check, note, refuse
from autogpt.checks.messages import WAYS

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


# Goals that ask for a table without its header row.
_NO_HEADER = re.compile(r"\b(?:without|no|omit\w*|drop\w*|skip\w*|remov\w*|exclud\w*)\b[^.;]{0,30}\bheaders?\b|"
                        r"(?:不要|不含|不带|不包含|去掉|去除|删除|没有|无)[^。；]{0,6}表头")


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return False
    return True


@check("table_header", Stage.BEFORE_FINISH, "full")
def table_header(s: Situation) -> Verdict | None:
    """A table the goals ask for starts with a data row of an input table whose first row is its header (the
    columns' names): the header was lost, as a program that skips every row but the matching ones does."""
    if _NO_HEADER.search(" ".join(s.spec.goals)):
        return None
    for name in s.spec.results:
        out = _rows(s, name)
        for source in s.spec.inputs if out else ():
            rows = _rows(s, source)
            header = rows[0] if len(rows) > 1 else []
            if header and not any(_is_number(cell) for cell in header) and header not in rows[1:] \
                    and out[0] != header and out[0] in rows[1:]:
                return refuse("table_header", subject=name, once=True, file=name, source=source,
                              header=",".join(header)[:200], row=",".join(out[0])[:120])
    return None


# "with the header name,total", "header row: id,customer,total", 表头为 name,total
_HEADER_GIVEN = re.compile(r"(?:\bheader(?:\s+(?:row|line))?|表头|标题行)\s*(?:is|of|为|是|:|：)?\s*[\"'“‘`]?"
                           r"([\w.-]+(?:\s*,\s*[\w.-]+)+)", re.IGNORECASE)


# Words of the sentence, not column names: "with the same header and, for each email, ..."
_PROSE = frozenset("a an and as but each for in of only or so that the then to which with".split())


def _cells(line: str) -> list[str]:
    return [cell.strip().strip('"').strip() for cell in line.split(",")]


@check("table_shape", Stage.BEFORE_FINISH, "full")
def table_shape(s: Situation) -> Verdict | None:
    """A table the goals ask for is not the one they describe: its header row is not the one the goals give
    ("with the header name,total"), or a row has more or fewer cells than the header (a value with a comma left
    unquoted)."""
    tables = [name for name in s.spec.results if name.lower().endswith((".csv", ".tsv"))]
    found = [_cells(m.group(1)) for m in _HEADER_GIVEN.finditer(" ".join(s.spec.goals))]
    given = {tuple(cells) for cells in found  # not "header of a.csv, ..." nor "header and, for each ..."
             if not any("." in cell or cell.casefold() in _PROSE for cell in cells)}
    for name in tables:
        rows = _rows(s, name)
        if not rows:
            continue
        if len(given) == 1 and len(tables) == 1 and name.lower().endswith(".csv"):
            header = next(iter(given))
            if [cell.strip() for cell in rows[0]] != list(header):
                return refuse("table_header_given", subject=name, once=True, file=name, header=",".join(header),
                              found=",".join(rows[0])[:200])
        for number, row in enumerate(rows[1:], 2):
            if len(row) != len(rows[0]):
                return refuse("table_cells", subject=name, once=True, file=name, line=number, cells=len(row),
                              header=len(rows[0]))
    return None


# "sorted by total from highest to lowest", "sort by salary in descending order", 按分数从高到低排序
_ORDER = re.compile(r"\bsort(?:ed|s|ing)?\s+(?:[\w.]+\s+){0,3}?by\s+(?:the\s+)?(?:column\s+)?[\"'`]?([\w.-]+)[\"'`]?"
                    r"(?:\s+(?:column|value|values))?[\s,(]+(?:(?:from\s+)?(highest|largest|biggest|most|lowest|smallest|"
                    r"least|fewest)|(?:in\s+)?(descending|ascending|decreasing|increasing))|"
                    r"按(?:照)?\s*[\"'“`]?([^\s，。,“”\"'`]+?)[\"'”`]?\s*(?:列|的值|字段)?\s*"
                    r"(从高到低|从大到小|从低到高|从小到大|降序|升序)", re.IGNORECASE)
_DOWN = ("highest", "largest", "biggest", "most", "descending", "decreasing", "从高到低", "从大到小", "降序")


def _sort_key(cells: list[str]) -> list[float] | list[str]:
    try:
        return [float(cell.replace(",", "")) for cell in cells]
    except ValueError:
        return [cell.casefold() for cell in cells]


@check("row_order", Stage.BEFORE_FINISH, "full")
def row_order(s: Situation) -> Verdict | None:
    """A table the goals ask to sort by a column ("sorted by total from highest to lowest", 按分数从高到低) has its
    rows in another order."""
    asked = [(m.group(1) or m.group(4), (m.group(2) or m.group(3) or m.group(5)).lower())
             for m in _ORDER.finditer(" ".join(s.spec.goals))]
    if len(asked) != 1:
        return None
    column, way = asked[0]
    down = way in _DOWN
    for name in s.spec.results:
        rows = _rows(s, name)
        header = [cell.strip().casefold() for cell in rows[0]] if len(rows) > 2 else []
        if column.casefold() not in header:
            continue
        at = header.index(column.casefold())
        cells = [row[at].strip() for row in rows[1:] if len(row) > at]
        keys = _sort_key(cells)
        if keys != sorted(keys, reverse=down):  # type: ignore[type-var]
            return refuse("row_order", subject=name, once=True, file=name, column=rows[0][at].strip(),
                          way=WAYS.get(s.lang, WAYS["en"])["down" if down else "up"])
    return None
