"""File tools, jailed in the task's workspace (see :mod:`autogpt.tools.workspace`)."""

from __future__ import annotations

import ast
import csv
import functools
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Annotated

from pydantic import Field

from autogpt.errors import ToolError, WorkspacePathError
from autogpt.tools.core import (
    AFTER_LOOP,
    COMPUTE_NEXT,
    FLAWED_TABLES,
    INPUT_BYTES,
    TRANSLATE,
    USER_FILES,
    all_made,
    asked_definitions,
    asked_outputs,
    asks_to_change,
    expected_outputs,
    first_time,
    given_texts,
    goal_inputs,
    goal_link,
    keep_input,
    missing_files,
    web_addresses,
)
from autogpt.tools.grounding import (
    NOTED,
    asked_places,
    asks_to_compute,
    cut_note,
    numbers,
    only_numbers,
    rounded,
    shown_by,
    ungrounded,
    without_notes,
)
from autogpt.tools.registry import Tool, ToolContext
from autogpt.tools.untested import (
    DEFINITIONS,
    compile_error,
    cut_at_quote,
    failing,
    module_name,
    note_written,
    untried,
)
from autogpt.tools.workspace import decode_text

#: The text of a write: the JSON schema asks for at least one character, so a grammar-constrained model cannot
#: "write" an empty file (the embedded model's first write was often ""); _write still refuses empty text.
Text = Annotated[str, Field(json_schema_extra={"minLength": 1})]

_CODE = (".py", ".js", ".ts", ".sh", ".java", ".go", ".rs", ".rb", ".php", ".cpp", ".hpp", ".sql")


def _note_typed(ctx: ToolContext, relative: str, content: str, append: bool) -> None:
    """Remember the numbers typed into the file that nothing showed (``finish`` asks about them). Not in code:
    its numbers are constants (3600 seconds an hour), and running it is what checks it."""
    if relative.endswith(_CODE):
        return
    noted: dict[str, list[str]] = ctx.extras.setdefault(NOTED, {})
    # A file of numbers alone, for goals that ask to compute, is an answer: the goals' own numbers are the data,
    # not the answer (Fibonacci30: the model wrote F(1)'s 1 to answer.txt, run 20, and "1\n1", run 22, unnoted)
    answer = asks_to_compute(ctx.goals) and bool(numbers(content)) and only_numbers(content)
    fresh = ungrounded(content, [*([] if answer else ctx.goals), *map(without_notes, ctx.observations)])
    noted[relative] = list(dict.fromkeys([*noted.get(relative, []), *fresh])) if append else fresh


_WRITTEN = "written_texts"  # ToolContext.extras: the last texts written, to recognise a shortened copy
_KNOWN = "files_known"  # ToolContext.extras: the files read_file showed or the file tools wrote in this run
_TRIED = "refused_texts"  # ToolContext.extras: the last texts refused (ParseDuration's model copied one shortened)
#: ToolContext.extras: {file: the first lines of it a program run showed, when it showed only those}
PREVIEWS = "cut_previews"
#: The marks of a text shown in part: where they come from, and what to do instead of copying it.
_CUT_MARKS = {
    "…": ("the list of steps shortens long arguments", "Write the complete text."),
    "[...]": ("a program's result shows only the first lines of a file it wrote",
              "Have the program write the whole file, or write the complete text."),
}
_NO_ELLIPSIS = {".csv", ".tsv", ".json", ".jsonl", ".py"}  # files whose text never ends with "…"


def _shortened_copy(ctx: ToolContext, existing: Callable[[], str | None], content: str) -> bool:
    """Whether ``content`` is a text the model saw only in part, copied as if whole: an earlier text (written in
    this run, or the file's own) cut off with "…" (how the step history shows long arguments), or the first lines
    of a file a program wrote (how a run shows what it wrote), with or without the "[...]" after them. Small
    models copy what they see: InventoryReport's model rewrote its finished report.txt with the shortened text,
    Fibonacci30's copied it into answer.txt, SortCsv's replaced the sorted.csv its program had written whole
    with the eight lines shown. ``existing``: the file's text now (None if there is none)."""
    marked = content.rstrip().endswith(tuple(_CUT_MARKS))
    head = content.rstrip().removesuffix("[...]").removesuffix("…").rstrip()
    if len(head) < 20:
        return False
    if any(head == preview.rstrip() for preview in ctx.extras.get(PREVIEWS, {}).values()):
        return True
    if not marked:
        return False
    return _begins(head, [*ctx.extras.get(_WRITTEN, []), *ctx.extras.get(_TRIED, []), existing() or ""])


def _begins(head: str, texts: list[str]) -> bool:
    """Whether ``head`` is the start of one of ``texts``, and not the whole of it."""
    return any(len(text) > len(head) and text.startswith(head) for text in texts)


def _examples_file(ctx: ToolContext, relative: str) -> str | None:
    """For a file only the system prompt's worked example writes, while the goals ask for other files: those files.
    JoinCsv's model finished with the example's reason (run 18), was told that was other work, and wrote the
    example's year.txt with 1889 three times."""
    from autogpt.agent.prompts import example_files  # here: the agent package imports the tools

    if relative not in example_files() or relative in ctx.workspace.files(limit=200):
        return None
    goals = "\n".join(ctx.goals)
    asked = [name for name in asked_outputs(ctx) if name != relative]
    return ", ".join(asked) if asked and relative not in goals else None


def _refused_copy(ctx: ToolContext, relative: str, existing: Callable[[], str | None], content: str) -> str | None:
    """For ``content`` cut off with "…" that begins only texts refused earlier (none written, nor the file's own):
    what to write instead ("" when there is no more to say). ParseDuration's model sent its refused comments-only
    duration.py back, shortened as the list of steps shows it, six times."""
    head = content.rstrip().removesuffix("…").rstrip()
    if not content.rstrip().endswith("…") or len(head) < 20:
        return None
    written = [*ctx.extras.get(_WRITTEN, []), existing() or ""]
    if not _begins(head, ctx.extras.get(_TRIED, [])) or _begins(head, written):
        return None
    asked = re.search(r"\b(?:function|method)\s+`?(\w+)\s*\(([^)]*)\)|\bclass\s+`?([A-Z]\w*)", "\n".join(ctx.goals))
    if asked is None or not relative.endswith(".py"):
        return ""
    start = f"def {asked.group(1)}({asked.group(2)}):" if asked.group(1) else f"class {asked.group(3)}:"
    return f": the Python code itself, starting with {start} and its body"


def _self_import(relative: str, content: str) -> str:
    """The line of ``content`` that imports the module ``relative`` is, if any. Told to test slugify.py with code
    that starts with ``from slugify import slugify``, Slugify's model put that line into slugify.py itself, and
    every test failed with a circular import."""
    module = re.escape(module_name(relative))
    found = re.search(rf"^[ \t]*(?:from[ \t]+{module}[ \t]+import[ \t]+.*|import[ \t]+{module}(?![\w.]).*)$", content,
                      re.MULTILINE)
    return found.group(0).strip() if found else ""


_PROGRAM = re.compile(r"^\s*(?:import \w|from \w[\w.]* import |def \w+\(|print\()", re.MULTILINE)


def _program_as_result(ctx: ToolContext, relative: str, content: str) -> bool:
    """Whether ``content`` is a Python program written, the first time, into an output file that is not code,
    for a goal that asks for a computation (Sha256Hash's model wrote its hashlib program to hash.txt, and
    finished)."""
    warned: set[str] = ctx.extras.setdefault("program_as_result_warned", set())
    if relative in warned or relative.endswith(_CODE) or not asks_to_compute(ctx.goals):
        return False
    if relative not in expected_outputs("\n".join(ctx.goals)) or len(_PROGRAM.findall(content)) < 2:
        return False
    try:
        compile(content, relative, "exec")
    except (SyntaxError, ValueError):
        return False
    warned.add(relative)
    return True


#: The tables the write and run checks compare row by row: their separator, and the largest one read.
TABLE_SEPARATORS = {".csv": ",", ".tsv": "\t"}
TABLE_MAX_BYTES = 500_000


def input_tables(ctx: ToolContext) -> dict[str, list[list[str]]]:
    """The tables the goals give to read (.csv, .tsv files of the workspace), each as its rows of cells."""
    tables = {}
    for name in goal_inputs("\n".join(ctx.goals)):
        if (sep := TABLE_SEPARATORS.get(PurePosixPath(name).suffix.lower())) is None:
            continue
        try:
            text = ctx.workspace.read_text(name, max_bytes=TABLE_MAX_BYTES)
        except ToolError:
            continue
        tables[name] = list(csv.reader(text.splitlines(), delimiter=sep))
    return tables


_ONE_ROW = re.compile(r"\bone (?:row|line) (?:for|per) (?:every|each)\b|每(?:个|位|一|项|行)\S{0,10}?一行", re.IGNORECASE)
_DESCENDING = r"highest to lowest|largest to smallest|biggest to smallest|descending|从高到低|从大到小|降序"
_ASCENDING = r"lowest to highest|smallest to largest|ascending|从低到高|从小到大|升序"
_SORTED_BY = re.compile(rf"\bsort\w*\s+(?:\w+\s+)?by\s+(?:the\s+)?['\"`]?(\w+)['\"`]?[^.;:]{{0,40}}?({_DESCENDING}|{_ASCENDING})"
                        rf"|按\s*['\"`]?(\w+?)['\"`]?\s*(?:列\s*)?({_DESCENDING}|{_ASCENDING})", re.IGNORECASE)


def table_shape_note(ctx: ToolContext, name: str, lines: list[str]) -> str:
    """A note on a table (``lines``, its header first) that is broken whatever the goals say (see
    ``_broken_table``), or that breaks what they say of its rows: the same row more than once where they ask for
    one row for each thing, or rows out of the order they ask for ("sorted by total from highest to lowest").
    JoinCsv, run 21: its pandas merge wrote one row per order, each with its customer's total, unsorted, and the
    model finished."""
    sep = TABLE_SEPARATORS.get(PurePosixPath(name).suffix.lower())
    goals = "\n".join(ctx.goals)
    rows = [row for row in csv.reader(lines, delimiter=sep) if any(cell.strip() for cell in row)] if sep else []
    if not sep or not rows:
        return ""
    if broken := _broken_table(name, sep, rows) or _other_columns_values(ctx, name, rows):
        return broken
    if len(rows) < 3 or name not in goals:
        return ""
    if _ONE_ROW.search(goals):
        [(row, times)] = Counter(tuple(cell.strip() for cell in row) for row in rows[1:]).most_common(1)
        if times > 1:
            return (f"\nNote: {name} has the row {sep.join(row)!r} {times} times, but the goals ask for one row for "
                    "each. Have the program write each one once (group the rows first: one per key, with its sum).")
    wanted = _SORTED_BY.search(goals)
    if wanted is None:
        return ""
    column, order = (wanted.group(1) or wanted.group(3)).casefold(), (wanted.group(2) or wanted.group(4)).casefold()
    names = [cell.strip().casefold() for cell in rows[0]]
    if column not in names:
        return ""
    at, descending = names.index(column), bool(re.fullmatch(_DESCENDING, order))
    try:
        values = [float(row[at]) for row in rows[1:]]
    except (ValueError, IndexError):
        return ""
    for first, (a, b) in enumerate(zip(values, values[1:], strict=False), 2):
        if (b > a) if descending else (b < a):
            return (f"\nNote: {name} is not sorted by {rows[0][at].strip()} from "
                    f"{'highest to lowest' if descending else 'lowest to highest'}, as the goals ask: row {first} is "
                    f"{sep.join(rows[first - 1])!r}, and row {first + 1} {sep.join(rows[first])!r}. Have the program sort "
                    f"the rows before writing them (sorted(rows, key=..., reverse={descending}), or "
                    f"df.sort_values({rows[0][at].strip()!r}, ascending={not descending})).")
    return ""


def _broken_table(name: str, sep: str, rows: list[list[str]]) -> str:
    """A note on a table (``rows``, its header first) that is broken whatever the goals ask: its header row again in
    place of the data, rows with more cells than the header has names, or a named column empty in every row."""
    header = [cell.strip() for cell in rows[0]]
    longer = next((row for row in rows[1:] if any(cell.strip() for cell in row[len(header):])), None)
    if len(rows) >= 3 and longer:
        # JoinCsv, run 25: each customer appended with df.to_csv(mode='a', header=False), whose first column is the
        # index: "0,Amara Diallo,0" under name,total; the model finished
        index = (" pandas' to_csv writes the index as a first column unless it is given index=False."
                 if longer[0].strip().isdigit() else "")
        return (f"\nNote: {name} has rows with {len(longer)} cells under a header row of {len(header)} names "
                f"({sep.join(longer)!r} under {sep.join(header)!r}).{index} Write the table again, each row with "
                "one cell for each name of the header.")
    if again := sum(1 for row in rows[1:] if [cell.strip() for cell in row] == header):
        # FilterRows, run 23: csv.writer(file).writerows(rows) with the rows of a csv.DictReader wrote each dict's
        # keys, so shipped.csv held its header nine times and no row; the model finished
        return (f"\nNote: {name} has its header row {sep.join(header)!r} again as {again} of its {len(rows) - 1} "
                "rows, in place of the data. csv.writer's writerows with dicts (the rows of a csv.DictReader) writes "
                "each dict's keys. Write the rows' values: csv.DictWriter(f, fieldnames=reader.fieldnames), then "
                "writeheader() and writerows(rows).")
    empty = [cell for at, cell in enumerate(header)
             if cell and not any("".join(row[at:at + 1]).strip() for row in rows[1:])]
    if len(rows) >= 3 and empty:
        # JoinCsv, run 24: customers['total'] = orders.groupby('customer_id')['amount'].sum() lines the sums up by
        # customer_id against the rows' numbers 0..7, so no row got one; the model finished on the empty column
        return (f"\nNote: {name}'s column {empty[0]} is empty in every row: the program put no value there. A "
                "pandas Series assigned as a column lines up by its index (the groupby key), not by position, so "
                "it fills nothing when the table's index is 0, 1, 2...: map the key column through it instead, "
                "df['total'] = df['key'].map(sums).fillna(0), with your column names.")
    return ""


def _other_columns_values(ctx: ToolContext, name: str, rows: list[list[str]]) -> str:
    """A note on a table whose column holds none of the values of the column of that name in a table the goals
    give, but values of another of its columns: JoinCsv, run 25, grouped by customer_id and renamed that column
    name, so customer_totals.csv's names were C01, C02... and the model finished."""
    header = [cell.strip().casefold() for cell in rows[0]]
    for source, given in input_tables(ctx).items():
        if source == name or len(given) < 3:
            continue
        columns = {cell.strip().casefold(): {row[at].strip() for row in given[1:] if len(row) > at}
                   for at, cell in enumerate(given[0])}
        for at, column in enumerate(header):
            values = {row[at].strip() for row in rows[1:] if len(row) > at and row[at].strip()}
            if column not in columns or len(values) < 2 or values & columns[column]:
                continue
            other = next((key for key, held in columns.items() if key != column and values <= held), "")
            if other:
                shown = ", ".join(sorted(columns[column])[:2])
                return (f"\nNote: {name}'s column {rows[0][at].strip()} holds {source}'s {other} values "
                        f"({', '.join(sorted(values)[:2])}...), not its {column} values ({shown}...). Take the "
                        f"{column} from {source} for each row (look it up by {other}).")
    return ""


def headerless(name: str, rows: list[str], source: str, lines: list[str]) -> str:
    """A note when a program, or a hand-written table, has rows of a table (``lines``) without its header row:
    FilterRows' model filtered with ``if row[2] == 'shipped'``, which drops the header too, and finished; in run 24
    it typed all of orders.csv's rows under no header."""
    if len(lines) < 2 or not rows or rows[0] == lines[0] or lines[0] in rows or rows[0] not in set(lines[1:]):
        return ""
    return (f"\nNote: {name} starts with a row of {source} but has no header row ({lines[0]!r}). If it should "
            "have one (tables usually do), have the program write the header row first, before the rows "
            "(appending it would put it after them).")


def _example_number(ctx: ToolContext, content: str) -> str:
    """A number of the system prompt's worked example (1889, 385) in ``content``, as written, when neither the goals
    nor any file of the workspace has it; "" otherwise. Run 24: JoinCsv's and FilterRows' models, told their finish
    (the example's, word for word) was other work, wrote "year,1889" and "1889" over their tables; InventoryReport's
    typed "TOTAL: 385.00" under four right lines."""
    from autogpt.agent.prompts import (  # here: the agent package imports the tools
        example_files,
        example_numbers,
    )

    copied = [number for number in numbers(content) if float(number) in example_numbers()]
    goals = "\n".join(ctx.goals)
    if not copied or any(name in goals for name in example_files()):  # the example's own task
        return ""
    known = set(numbers(goals))
    for name in ctx.workspace.files(limit=50):
        try:
            known.update(numbers(ctx.workspace.read_text(name, max_bytes=65536)))
        except ToolError:
            continue
    known_values = {float(number) for number in known}
    return next((number for number in copied if float(number) not in known_values), "")


def _other_than_printed(ctx: ToolContext, relative: str, content: str) -> tuple[list[str], list[str]] | None:
    """For a computing goal: numbers alone typed into a file the task asks for, no command having shown them, right
    after a program printed other numbers (a few); those typed and those printed. CountHangzhou (the learning
    benchmark, 2026-12-02): its program printed 13, and the next step wrote the typed 10 again."""
    if (not ctx.observations or not asks_to_compute(ctx.goals) or not only_numbers(content)
            or relative not in expected_outputs("\n".join(ctx.goals))):
        return None
    stdout = shown_by(False, ctx.observations[-1]).split("\n--- ", 1)[0]  # not the files it wrote
    printed = list(dict.fromkeys(numbers(without_notes(stdout))))
    typed = ungrounded(content, [without_notes(seen) for seen in ctx.observations])
    if not typed or not 0 < len(printed) <= 3:
        return None
    return typed, printed


def _after_loop_line(ctx: ToolContext, relative: str, content: str) -> bool:
    """Whether a text written to a file the task asks for has the line the last program printed while it added a
    value after its loop (``TOTAL: 59.20``): a wrong total (InventoryReport, runs 29 and 30)."""
    wrong = ctx.extras.get(AFTER_LOOP)
    if not wrong or relative not in asked_outputs(ctx):
        return False
    return wrong[0].strip() in (line.strip() for line in content.splitlines())


def _refused_before(ctx: ToolContext, relative: str, content: str) -> bool:
    """Whether to refuse a write now: not when the same text was refused before for ``relative`` (sent again, it is
    meant); else it is remembered."""
    refused: dict[str, set[str]] = ctx.extras.setdefault("refused_shrink", {})
    if content in refused.setdefault(relative, set()):
        return False
    refused[relative].add(content)
    return True


def _typed_headerless(ctx: ToolContext, relative: str, content: str, append: bool) -> str:
    """``headerless`` for a table written by hand, against the tables the goals give to read."""
    suffix = PurePosixPath(relative).suffix.lower()
    if append or suffix not in TABLE_SEPARATORS:
        return ""
    rows = [line for line in content.splitlines() if line.strip()]
    for name, data in ctx.extras.get(INPUT_BYTES, {}).items():
        if name != relative and PurePosixPath(name).suffix.lower() == suffix and len(data) <= TABLE_MAX_BYTES:
            if note := headerless(relative, rows, name, decode_text(data)[0].splitlines()):
                return note
    return ""


def _altered_row(ctx: ToolContext, relative: str, content: str, header: str) -> tuple[str, str, str] | None:
    """A row typed into a table with the same columns (``header``: its first line) as a table the goals give to
    read, but with other values than that table's row: (the row, the input, its row there). Rows are matched by
    their first value (an id) when it is unique in the input. Not when the goals say to
    change something. FilterRows' model typed the rows it kept by hand and made one up (``1016,Nimbus Labs,
    shipped`` for the input's ``1016,Harbor Foods,cancelled``)."""
    suffix = PurePosixPath(relative).suffix.lower()
    sep = TABLE_SEPARATORS.get(suffix)
    if sep is None or asks_to_change(ctx.goals):
        return None
    for name, data in ctx.extras.get(INPUT_BYTES, {}).items():
        if PurePosixPath(name).suffix.lower() != suffix or len(data) > TABLE_MAX_BYTES:
            continue
        lines = decode_text(data)[0].splitlines()
        if not lines or _split(lines[0], sep) != _split(header, sep):  # other columns: a join, a summary
            continue
        rows: dict[str, str | None] = {}
        for line in lines:
            key = line.split(sep, 1)[0].strip()
            if key:
                rows[key] = None if key in rows else line  # a key seen twice identifies no row
        for line in content.splitlines():
            was = rows.get(line.split(sep, 1)[0].strip())
            if was is not None and _split(line, sep) != _split(was, sep):
                return line, name, was
    return None


def _shrunk(ctx: ToolContext, relative: str, content: str, existing: Callable[[], str | None]) -> int:
    """The length of a text file written in this task (not code, not a table) that ``content`` would replace with
    less than half of it, or 0."""
    held = _own_text(ctx, relative, existing)
    return len(held) if len(held) >= 200 and len(content.strip()) < len(held) / 2 else 0


def _row_for_table(relative: str, content: str, existing: Callable[[], str | None]) -> int:
    """The rows (after its header) of a table that ``content``, one line that is not its header, would replace:
    a row meant to be added. JoinCsv, run 28: told a customer's row was missing, the model wrote that row as the
    whole of customer_totals.csv, over its header and seven rows. 0 when that is not so."""
    if PurePosixPath(relative).suffix.lower() not in TABLE_SEPARATORS or len(content.strip().splitlines()) != 1:
        return 0
    lines = [line for line in (existing() or "").splitlines() if line.strip()]
    if len(lines) < 3 or content.strip() == lines[0].strip():
        return 0
    return len(lines) - 1


def _own_text(ctx: ToolContext, relative: str, existing: Callable[[], str | None]) -> str:
    """The text (stripped) of a file that holds what a write of this task put there, for a text file (not code, not
    a table); "" otherwise."""
    if PurePosixPath(relative).suffix.lower() in _CODE + tuple(TABLE_SEPARATORS) or relative not in ctx.extras.get(
            _KNOWN, ()):
        return ""
    held = (existing() or "").strip()
    return held if held in (text.strip() for text in ctx.extras.get(_WRITTEN, [])) else ""


_FACT_WORD = re.compile(r"\b(?:[A-Z][a-z]{3,}|\d+(?:\.\d+)?)\b")


def _dropped_facts(ctx: ToolContext, relative: str, content: str,
                   existing: Callable[[], str | None]) -> tuple[str, list[str]] | None:
    """For a short text file written in this task (not code, not a table) that ``content``, a part of it, would
    replace: the text and the names and numbers it would drop that a command showed (a page, a file) and the goals
    do not give. WebFact, run 25: "Ingrid Halvorsen, 1994" from the page, read back, then replaced by "1994"."""
    held, new = _own_text(ctx, relative, existing), content.strip()
    if not held or not new or new == held or new not in held or len(held) >= 200:
        return None
    shown = "\n".join(without_notes(text) for text in ctx.observations)
    goals = "\n".join(ctx.goals)
    words = [word for word in dict.fromkeys(_FACT_WORD.findall(held.replace(new, " ", 1)))
             if word not in new and word not in goals and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", shown)]
    return (held, words) if words else None


def _header_appended(ctx: ToolContext, relative: str, content: str, existing: Callable[[], str | None]) -> str:
    """The header row ``content`` begins with, when it is appended to a table that already has rows: the table's
    own first line, or an input table's. FilterRows, run 21: its program wrote the rows without the header; told
    so, the model appended the header and the rows again, and finished with every row twice, a header between."""
    suffix = PurePosixPath(relative).suffix.lower()
    held = (existing() or "").strip()
    first = content.strip().split("\n", 1)[0].strip()
    if suffix not in TABLE_SEPARATORS or not held or not first:
        return ""
    headers = {held.split("\n", 1)[0].strip()} | {
        decode_text(data)[0].strip().split("\n", 1)[0].strip() for name, data in ctx.extras.get(INPUT_BYTES, {}).items()
        if PurePosixPath(name).suffix.lower() == suffix}
    return first if first in headers else ""


def _ragged_row(relative: str, content: str, header: str) -> tuple[str, int, int] | None:
    """A row of a table written to a .csv or .tsv file with another number of values than its header row has
    columns: (the row, its values, the header's columns). JoinCsv's model typed ``C01,Amara Diallo,120.00`` (id,
    name, an order's amount) under the header ``name,total``."""
    sep = TABLE_SEPARATORS.get(PurePosixPath(relative).suffix.lower())
    if sep is None or not header.strip():
        return None
    width = len(next(csv.reader([header], delimiter=sep)))
    for row in csv.reader(content.splitlines(), delimiter=sep):
        if row and any(cell.strip() for cell in row) and len(row) != width:
            return sep.join(row), len(row), width
    return None


def _split(line: str, sep: str) -> list[str]:
    return [cell.strip() for cell in line.split(sep)]


_NO_CODE_REFUSALS = 3  # times a text without code is refused for a module whose functions the goals name


def _without_code(ctx: ToolContext, relative: str, content: str) -> list[str] | None:
    """Whether ``content``, written to a ``.py`` file (not ``__init__.py``), has no code: only comments, a docstring
    or bare values. ``None`` if it has code (or was refused before and is meant); else the functions and classes
    the goals ask for, which it leaves out. Refused once, or up to three times while the goals name what the
    module must define: ParseDuration's model wrote the examples as a comment into duration.py and tested the
    module that defined nothing (run 22); in run 29 it sent the refused comment again, wrote it, and spent its
    steps on tests of a module without parse_duration."""
    if not relative.endswith(".py") or PurePosixPath(relative).name == "__init__.py":
        return None
    try:
        body = ast.parse(content).body
    except (SyntaxError, ValueError):
        return None
    if any(not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) for node in body):
        return None
    asked = asked_definitions(ctx.goals) if relative in asked_outputs(ctx) else []
    warned: dict[str, int] = ctx.extras.setdefault("without_code_warned", {})
    if warned.get(relative, 0) >= (_NO_CODE_REFUSALS if asked else 1):
        return None
    warned[relative] = warned.get(relative, 0) + 1
    return asked


def _dropped_definitions(ctx: ToolContext, relative: str, content: str, existing: Callable[[], str | None]) -> list[str]:
    """The functions, classes and methods a ``.py`` file defines now that ``content``, replacing it, leaves out.
    Asked once per file. StackClass's model wrote a whole Stack at its first step, wrote it again, then replaced
    it with a Stack of only ``__init__`` and ``push``, as if writing one method at a time."""
    warned: set[str] = ctx.extras.setdefault("dropped_definitions_warned", set())
    if relative in warned or not relative.endswith(".py"):
        return []
    after = _definitions(content)
    if after is None:  # code that does not parse: running it tells the model more
        return []
    dropped = [name for name in _definitions(existing() or "") or [] if name not in after]
    if dropped:
        warned.add(relative)
    return dropped


def _definitions(code: str) -> list[str] | None:
    """The names of the functions and classes (methods included) ``code`` defines; None if it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    return list(dict.fromkeys(node.name for node in ast.walk(tree) if isinstance(node, DEFINITIONS)))


_COPY_CUES = re.compile(r"\b(?:copy|copies|duplicate|same as|its contents?|the contents? of)\b|复制|拷贝|照抄|原样|内容",
                        re.IGNORECASE)


def _copied_input(ctx: ToolContext, relative: str, content: str) -> str:
    """The input file (one the goals give to read) that ``content`` is a whole copy of, when the goals do not say to
    copy it; "" otherwise. Latin1Encoding's model wrote all of customers.txt to zurich.txt for "the customers
    whose city is Zürich" (refused once per file; written the second time, it is not told the task is done)."""
    lines = [line.strip() for line in content.strip().splitlines()]
    if len(lines) < 3 or any(_COPY_CUES.search(goal) for goal in ctx.goals):
        return ""
    for name, data in ctx.extras.get(INPUT_BYTES, {}).items():
        if name != relative and [line.strip() for line in decode_text(data)[0].strip().splitlines()] == lines:
            return name
    return ""


def _part_of_copy(ctx: ToolContext, relative: str, content: str) -> tuple[str, int, int] | None:
    """For goals that say to copy a file's content: the input file (one the goals give to read) whose first lines
    ``content`` is, but not all of them, with how many it has and how many the file has. ReadFile, run 25: "write
    its content to output.txt", and the model wrote the first of three lines and finished."""
    lines = [line.strip() for line in content.strip().splitlines()]
    if not lines or not any(_COPY_CUES.search(goal) for goal in ctx.goals):
        return None
    for name, data in ctx.extras.get(INPUT_BYTES, {}).items():
        given = [line.strip() for line in decode_text(data)[0].strip().splitlines()]
        if name != relative and len(lines) < len(given) and given[: len(lines)] == lines:
            return name, len(lines), len(given)
    return None


def _untranslated(ctx: ToolContext, content: str) -> bool:
    """Whether ``content`` is a text the goals give to translate, written as it is. Refused once per file; sent
    again, it is written, but not told the task is done. TranslateChinese's model wrote the English text itself
    to translation.txt, then looked for a Python library; in another run it sent the text again and was told
    every file existed."""
    text = " ".join(content.split()).strip("\"'“”「」")
    goals = " ".join(" ".join(ctx.goals).split())
    return len(text) >= 20 and bool(TRANSLATE.search(goals)) and text in goals


_EXACTLY = re.compile(r"\bexact(?:ly)?\b|\bverbatim\b|word for word|原样|一字不差|原文照抄|完全一样", re.IGNORECASE)
_ENDINGS = ".!?。！？…"


def _clipped_copy(ctx: ToolContext, relative: str, content: str) -> str:
    """The punctuation a text the goals give "exactly as given" ends with, when ``content`` is that text without
    it; "" otherwise. Asked once per file. WriteText's model wrote "Small steps, checked twice, finish the job"
    for the sentence the goal gives with its final period."""
    warned: set[str] = ctx.extras.setdefault("clipped_copy_warned", set())
    text = content.strip()
    if relative in warned or len(text) < 10 or text[-1] in _ENDINGS:
        return ""
    for goal in ctx.goals:
        at = goal.find(text)
        if at >= 0 and _EXACTLY.search(goal) and goal[at + len(text) : at + len(text) + 1] in tuple(_ENDINGS):
            warned.add(relative)
            return goal[at + len(text)]
    return ""


def _existing(ctx: ToolContext, path: str) -> Callable[[], str | None]:
    """The text of the file at ``path`` before a write, read at most once, when first asked for."""
    @functools.cache
    def read() -> str | None:
        try:
            return ctx.workspace.read_text(path)
        except (ToolError, OSError):
            return None
    return read


def _write(path: str, content: str, ctx: ToolContext, *, append: bool) -> str:
    """``write_file`` and ``append_file``: refused when empty (small models "write" a file this way and then
    believe it holds the answer), when the text is a shortened copy, when an append repeats the text the file
    already ends with, the first time a program is written where a computing goal wants its result, a text the
    goals give to translate is written untranslated, a .py file is replaced by code that drops its definitions, an
    input is copied whole where the goals do not say to copy it, a text the goals give exactly loses its final
    punctuation, a .py file has no code, or a table row differs from the same row of an input table, or when the
    file is an input of the task; noted for ``finish``'s checks.
    A refused text is remembered too: the model may send it back shortened, as the list of steps shows it."""
    verb = "appended" if append else "written"
    if not content:
        raise ToolError(f"The content is empty: nothing was {verb}. Put the text itself in content.")
    if path.strip() in ("", ".", "./"):  # ParseDuration's model wrote to "." twice
        wanted = missing_files(ctx)
        named = f'path="{wanted[0]}" (the task asks for it)' if wanted else "path=\"notes.txt\""
        raise WorkspacePathError(f"Nothing was {verb}: a file name is required, e.g. {named}.")
    relative = ctx.workspace.relative(ctx.workspace.resolve(path))
    existing = _existing(ctx, path)
    added = ""
    if relative.endswith(".py") and not append:  # "\n" in a string that arrived as a line break, "\b" as a backspace
        from autogpt.tools.code import repair_code, unimported_modules  # the code tools import files.py

        content = repair_code(content)
        # ParseDuration, run 23: re.findall in duration.py without import re; the test program's NameError was told
        # "the program must import it", and the program did, not the module
        if (modules := unimported_modules(content)) and not compile_error(
                imported := "".join(f"import {name}\n" for name in modules) + content):
            content = imported
            them = "it" if len(modules) == 1 else "them"
            added = (f"\nNote: {relative} uses {', '.join(modules)} without importing {them}, so "
                     f"{'; '.join(f'import {name}' for name in modules)} was put at its top.")
    try:
        return _checked_write(relative, path, content, ctx, existing, append=append) + added
    except ToolError:
        tried: list[str] = ctx.extras.setdefault(_TRIED, [])
        tried[:] = [*tried[-4:], content]
        raise


def _checked_write(relative: str, path: str, content: str, ctx: ToolContext, existing: Callable[[], str | None], *,
                   append: bool) -> str:
    verb = "appended" if append else "written"
    if (other := _examples_file(ctx, relative)) is not None:
        raise ToolError(f"Nothing was {verb}: {relative} is a file of the example in your instructions, not of this "
                        f"task, which asks for {other}. Do what the goals ask.")
    if (copied := _example_number(ctx, content)) and _refused_before(ctx, relative, content):
        raise ToolError(f"Nothing was {verb}: {copied} is a number of the example in your instructions (year.txt, "
                        "result.txt), not of this task: neither the goals nor any file here has it. Work out what "
                        f"the goals ask from this task's files (with execute_python for a number) and write that to "
                        f"{relative}. If {copied} is right, call the command again.")
    if _after_loop_line(ctx, relative, content) and first_time(ctx, "after_loop_warned", relative):
        printed, line, program = ctx.extras[AFTER_LOOP]
        raise ToolError(f"Nothing was {verb}: {printed!r} is what your last program printed with "
                        f"{line} after its loop: the last value alone, not all of them. Run it with that line in the "
                        f"loop first: execute_python(code={json.dumps(program, ensure_ascii=False)}), then write what "
                        "it prints. If this text is right, call the command again.")
    if (not append and (other := _other_than_printed(ctx, relative, content))
            and first_time(ctx, "printed_other_warned", relative)):
        typed, printed = other
        places = asked_places(ctx.goals)
        result = printed[0] if places is None else rounded(printed[0], places)
        cut = f" ({said})" if (said := cut_note(typed, printed)[0]) else ""
        raise ToolError(f"Nothing was written: the last program you ran printed {', '.join(printed)}, and this writes "
                        f"{', '.join(typed)}, which no command showed{cut}. If that program works out what the goals "
                        f"ask, write what it printed{' rounded as they ask' if result != printed[0] else ''}: "
                        f"write_file(path=\"{relative}\", content=\"{result}\"). If {', '.join(typed)} is right, call "
                        "the command again.", retry=True)
    if (refused := _refused_copy(ctx, relative, existing, content)) is not None:
        raise ToolError(f"Nothing was {verb}: this is the start of a text refused at an earlier step, cut off with '…' "
                        "as the list of steps shows it; nothing of it is in any file. Do not copy it: write new, "
                        f"complete text{refused}.")
    if _shortened_copy(ctx, existing, content):
        raise ToolError(f"Nothing was {verb}: this text is only the part of a longer text that was shown to you "
                        "(the list of steps shortens long arguments with '…' and shows the first lines of the files a "
                        "program wrote). The whole text is still in its file. Write the complete text, or copy a file "
                        "with execute_python (shutil.copy).")
    mark = next((mark for mark in _CUT_MARKS if content.rstrip().endswith(mark)), "")
    if mark and PurePosixPath(relative).suffix.lower() in _NO_ELLIPSIS:
        # JoinCsv: its refused rows sent back changed and cut off ("...,Riga C05,…", run 18), the first rows a
        # program wrote retyped as its result showed them, with "[...]" (run 21)
        shows, advice = _CUT_MARKS[mark]
        raise ToolError(f"Nothing was {verb}: the text ends with {mark!r}, which is how {shows}; a "
                        f"{PurePosixPath(relative).suffix} file never ends so. {advice}")
    if (append and content.strip() and content in ctx.extras.get(_WRITTEN, [])
            and (existing() or "").rstrip().endswith(content.strip())):
        raise ToolError(f"Nothing was appended: {relative} already ends with this text, appended earlier in this task. "
                        "Appending it again would repeat it. If the file is as the task wants, go on or finish.")
    if (append and (held := (existing() or "").strip()) and only_numbers(held)
            and ctx.extras.get(NOTED, {}).get(relative) and asks_to_compute(ctx.goals)):
        # MissingPath, run 22: 0, then 385.0, then the printed 835.7 appended to total.txt: "0385.0835.7"
        raise ToolError(f"Nothing was appended: {relative} holds {held!r}, numbers you typed, and appending puts this "
                        f"text after them. To make {relative} hold the result alone, write the whole file with "
                        "write_file.")
    if append and (header := _header_appended(ctx, relative, content, existing)):
        raise ToolError(f"Nothing was appended: this text begins with the header row ({header!r}), and {relative} "
                        "already has rows: appended, it would come after them, in the middle of the table (and rows "
                        f"appended again would be there twice). To have the header first, write the whole of "
                        f"{relative} with write_file, or run a program that writes the header row, then the rows.")
    if not append and _program_as_result(ctx, relative, content):
        raise ToolError(f"Nothing was written: this is a Python program, and {relative} is where the task wants "
                        "a result. Run the program with execute_python and have it write what it computes to "
                        f"{relative}. If the program itself belongs in {relative}, call write_file again.", retry=True)
    if not append and (asked := _without_code(ctx, relative, content)) is not None:
        if asked:
            start = f"class {asked[0]}:" if asked[0][:1].isupper() else f"def {asked[0]}(...):"
            raise ToolError(f"Nothing was {verb}: this text has no Python code, only comments, and the task asks for "
                            f"{' and '.join(asked)} in {relative}. Write the code itself: {start} with its body, the "
                            "whole module.", retry=True)
        raise ToolError(f"Nothing was {verb}: this text has no Python code, only comments. Write the code itself "
                        f"into {relative} (def ... with its body); if it is meant to hold only comments, call the "
                        "command again.", retry=True)
    if relative.endswith(".py") and (line := _self_import(relative, content)):
        raise ToolError(f"Nothing was {verb}: {relative} would import itself ({line}), and Python cannot load a module "
                        f"that does: that line belongs in the program that tests {relative}, not in it. Write "
                        f"{relative} without it.")
    if not append and relative.endswith(".py") and content.strip() == (existing() or "").strip():
        # ParseDuration, run 15: the same failing duration.py written three times, each followed by the same test;
        # StackClass: its tested stack.py written again, unchanged
        if error := failing(ctx).get(relative):
            raise ToolError(f"Nothing was written: {relative} already holds exactly this code, and the last program "
                            f"that used it failed ({error}). Writing it again changes nothing: change the code so "
                            "that it does not fail that way.")
        if relative in ctx.extras.get(_KNOWN, ()) and relative not in untried(ctx):
            raise ToolError(f"Nothing was written: {relative} already holds exactly this code, and its last test "
                            "passed. If the test checked what the task asks, finish; if not, test what it missed.")
    if (not append and relative.endswith(".py") and (defined := _definitions(existing() or ""))
            and (broken := compile_error(content))):
        # StackClass, run 15: a working stack.py replaced by a peek() fragment that does not compile
        raise ToolError(f"Nothing was written: this code does not compile ({broken}), and it would replace "
                        f"{relative}, which defines {', '.join(defined[:5])} now. Write the whole module, every line "
                        "of it, so that it compiles.")
    if not append and relative.endswith(".py") and (broken := compile_error(content)):
        # Slugify's and ParseDuration's stubs (a def whose body is a comment): written, then sent back as the list
        # of steps shows them, cut off with "…"; refused, a text is not shown in part
        raise ToolError(f"Nothing was written: this code does not compile ({broken}). Write {relative} again with "
                        f"the whole code, so that it compiles: every def needs a body that does the work."
                        f"{cut_at_quote(content)}")
    if not append and (held := _shrunk(ctx, relative, content, existing)) and _refused_before(ctx, relative,
                                                                                              content):
        # the demo, 2026-12-01: a whole blog post written, read back, then replaced by its third paragraph alone;
        # refused, it sent another short text (demo, 2026-12-02), which is refused too: only the same one goes
        raise ToolError(f"Nothing was written: {relative} holds {held} characters you wrote in this task, and this "
                        f"text ({len(content)} characters) would replace all of it (write_file replaces the whole "
                        "file). To add to it, use append_file; to change part of it, write the whole text with the "
                        "change. If it is meant to replace everything, call the command again.", retry=True)
    if not append and (rows := _row_for_table(relative, content, existing)) and _refused_before(ctx, relative,
                                                                                                 content):
        raise ToolError(f"Nothing was written: {relative} has a header row and {rows} rows, and this one line would "
                        "replace all of them (write_file replaces the whole file). To add a row, use append_file; to "
                        f"change the table, write it whole, header and every row, or have a program write it. If this "
                        "line is meant to be all of it, call the command again.", retry=True)
    if not append and (lost := _dropped_facts(ctx, relative, content, existing)) and _refused_before(ctx, relative,
                                                                                                   content):
        held, words = lost
        raise ToolError(f"Nothing was written: {relative} holds {held!r}, and this keeps only part of it, dropping "
                        f"{', '.join(words)}, which a command showed you. If the goals ask for that too, leave "
                        f"{relative} as it is (finish if it is done); if it is meant to go, call the command again.",
                        retry=True)
    if not append and (dropped := _dropped_definitions(ctx, relative, content, existing)):
        listed, one = ", ".join(dropped), len(dropped) == 1
        raise ToolError(f"Nothing was written: {relative} defines {listed} now, and this text leaves "
                        f"{'it' if one else 'them'} out. write_file replaces the whole file: write it with everything "
                        f"it should keep. If {'it is' if one else 'they are'} meant to go, call the command again.",
                        retry=True)
    source = _copied_input(ctx, relative, content)
    if source and first_time(ctx, "copied_input_warned", relative):
        raise ToolError(f"Nothing was {verb}: this is all of {source}, as it is. The goals ask for something made "
                        f"from it: only the lines they ask for, or what they say to work out. A program that reads "
                        f"{source} and writes just that to {relative} does it. If the whole of {source} belongs in "
                        f"{relative}, call the command again.", retry=True)
    if not append and (part := _part_of_copy(ctx, relative, content)) and first_time(ctx, "part_copy_warned",
                                                                                      relative):
        name, have, total = part
        raise ToolError(f"Nothing was written: the goals ask for the content of {name}, and this is {have} of its "
                        f"{total} lines. Write all of it, every line as it is (or copy it with execute_python: "
                        f"shutil.copy({name!r}, {relative!r})). If only these lines are meant, call the command "
                        "again.", retry=True)
    untranslated = not append and _untranslated(ctx, content)
    if untranslated and first_time(ctx, "untranslated_warned", relative):
        raise ToolError(f"Nothing was written: this is the text the goals give, not its translation. Translate it "
                        "(with the translate command if you have it, or yourself: no program or library can translate "
                        f"here), then write the translation to {relative}. If this text is what belongs there, call "
                        "the command again.", retry=True)
    if ending := _clipped_copy(ctx, relative, content):
        raise ToolError(f"Nothing was {verb}: the goals give this text ending with {ending!r}, and ask for it exactly "
                        f"as given. Write it with the {ending!r}; if it is meant to end without it, call the command "
                        "again.", retry=True)
    header = ((existing() or "") if append else content).split("\n", 1)[0] or content.split("\n", 1)[0]
    if (ragged := _ragged_row(relative, content, header)) and first_time(ctx, "ragged_warned", relative):
        row, values, columns = ragged
        raise ToolError(f"Nothing was {verb}: the header row {header.strip()!r} has {columns} column(s), and the row "
                        f"{row!r} has {values} value(s). Every row needs one value for each column of the header, in "
                        "its order. If the table is meant to be like this, call the command again.", retry=True)
    altered = _altered_row(ctx, relative, content, header)
    if altered and first_time(ctx, "altered_rows_warned", relative):  # refused once per file
        row, name, was = altered
        raise ToolError(f"Nothing was {verb}: the row {row!r} is not as {name} has it: {was!r}. Copy rows exactly "
                        f"as they are (a program that reads {name} with the csv module does), or, if the task asks "
                        "to change them, call the command again.", retry=True)
    keep_input(ctx, relative, content, append=append)
    if (not append and relative in ctx.extras.get(USER_FILES, ()) and relative not in ctx.extras.get(_KNOWN, ())
            and PurePosixPath(relative).name not in "\n".join(ctx.goals) and (existing() or "").strip()):
        # MissingPath, run 14: the model's first step replaced the user's data/sales.csv (which the goals do not
        # name: they say data.csv) with three made-up rows; in run 25 it did so again, sending the text a second
        # time when a second time was enough: now only a file it has read may be replaced
        lines = len((existing() or "").splitlines())
        raise ToolError(f"Nothing was written: {relative} was already in the workspace ({lines} line"
                        f"{'s' * (lines != 1)}), and you have not read it; write_file would replace all of it. Read "
                        "it first (read_file): its data may be what the task needs. Then replace it if you must, or "
                        "write to a new file.", retry=True)
    ctx.extras.setdefault(_KNOWN, set()).add(relative)
    ctx.extras.get(FLAWED_TABLES, {}).pop(relative, None)
    if altered:  # sent again after the refusal (FilterRows, run 12): written, but not "done", and finish asks once
        ctx.extras.setdefault(FLAWED_TABLES, {})[relative] = (f"{relative} has the row {altered[0]!r}, which "
                                                               f"{altered[1]} has as {altered[2]!r}.")
    ctx.workspace.write_text(path, content, append=append)
    written: list[str] = ctx.extras.setdefault(_WRITTEN, [])
    written[:] = [*written[-9:], content]
    _note_typed(ctx, relative, content, append=append)
    note_written(ctx, relative)
    shape = table_shape_note(ctx, relative, content.splitlines()) or _typed_headerless(ctx, relative, content, append)
    if shape:
        ctx.extras.setdefault(FLAWED_TABLES, {}).setdefault(relative, shape.removeprefix("\nNote: "))
    if relative in given_texts(ctx):  # Sha256Hash, run 21: the string to hash, written as the hash
        shape = (f"\nNote: {relative} holds the text the goals give to work on, not the result they ask for. Compute "
                 f"it with execute_python: a program that works it out, prints it and writes {relative}.")
    done = shape or ("" if source or untranslated or altered else all_made(ctx, [relative], content))
    if not done and (typed := _typed_note(ctx, relative)):
        # WordCount, run 22: told 1024 was typed, the model wrote 1024 again four times and never ran a program
        ctx.extras[COMPUTE_NEXT] = True
        done = typed
    return f"{'Appended' if append else 'Wrote'} {len(content)} characters to {relative}.{done}"


def _typed_note(ctx: ToolContext, relative: str) -> str:
    """For a goal that asks for something computed from its files: numbers just typed into a file the task asks for
    that no command showed. InventoryReport's model typed its report's products and total (two of them wrong),
    then spent its steps on programs that parsed its own report."""
    goals = "\n".join(ctx.goals)
    typed = ctx.extras.get(NOTED, {}).get(relative, [])
    if not typed or not asks_to_compute(ctx.goals) or relative not in expected_outputs(goals):
        return ""
    if web_addresses(goals):  # WebFollowLink: 12 months typed after the home page, which named warranty.html
        found = goal_link(ctx)
        return (f"\nNote: no page you read shows {', '.join(typed[:3])}: typed numbers are often wrong. The page "
                f'{found[1]} may tell it: read it next, read_webpage(url="{found[1]}").') if found else ""
    sources = [name for name in goal_inputs(goals) if name != relative]
    reads = f"reads {', '.join(sources)}, " if sources else ""
    it = "it" if len(typed) == 1 else "them"
    cut, places = cut_note(typed, [without_notes(seen) for seen in ctx.observations])
    if cut:  # ZhAverageScore, run 27: 79.86666666666666 printed, 79.86 written five times, each told it was typed
        return f"\nNote: {cut}. Write the rounded number (in Python, f\"{{value:.{places}f}}\")."
    return (f"\nNote: no command showed {', '.join(typed[:3])}{', ...' if len(typed) > 3 else ''}: numbers worked out "
            f"by hand are often wrong. Compute {it} with execute_python: a program that {reads}works {it} out, "
            f"prints {it} and writes {relative}.")


def write_file(path: str, content: Text, ctx: ToolContext) -> str:
    """Create or replace a text file in the workspace with the given content (folders are created automatically).

    Args:
        path: File path relative to the workspace, e.g. "report.md".
        content: The complete text to write.
    """
    return _write(path, content, ctx, append=False)


def append_file(path: str, content: Text, ctx: ToolContext) -> str:
    """Append text to the end of a file in the workspace (the file is created if missing).

    Args:
        path: File path relative to the workspace.
        content: The text to add at the end.
    """
    return _write(path, content, ctx, append=True)


def read_file(path: str, ctx: ToolContext, start_line: int = 1, end_line: int = 0) -> str:
    """Read a text file from the workspace.

    Args:
        path: File path relative to the workspace.
        start_line: First line to show (1 = the beginning).
        end_line: Last line to show (0 = to the end).
    """
    text, encoding = ctx.workspace.read_text_and_encoding(path)
    ctx.extras.setdefault(_KNOWN, set()).add(ctx.workspace.relative(ctx.workspace.resolve(path)))
    # Code that opens the file must use the same encoding, or it fails on the first accent.
    note = "" if encoding == "utf-8" else (f"[{path} is not UTF-8: read as {encoding}. In Python, open it with "
                                             f"open({path!r}, encoding={encoding!r}); write files in UTF-8.]\n")
    if start_line <= 1 and end_line <= 0:
        return note + text if text else f"({path} is empty)"
    lines = text.splitlines()
    first = max(start_line, 1)
    last = end_line if end_line > 0 else len(lines)
    chosen = lines[first - 1 : last]
    return note + f"[{path}: lines {first}-{first + len(chosen) - 1} of {len(lines)}]\n" + "\n".join(chosen)


READ_FILE = Tool(read_file, reads="path")
WRITE_FILE = Tool(write_file, writes=True)
APPEND_FILE = Tool(append_file, writes=True)


def list_folder(ctx: ToolContext, path: str = ".") -> str:
    """List the files and folders in a workspace folder.

    Args:
        path: Folder path relative to the workspace ("." for the workspace itself).
    """
    entries = ctx.workspace.list_dir(path)
    if not entries:
        return f"The folder {path!r} is empty."
    lines = [f"{name}/" if is_dir else f"{name} ({size} bytes)" for name, is_dir, size in entries[:500]]
    if len(entries) > 500:
        lines.append(f"... and {len(entries) - 500} more entries")
    return "\n".join(lines)
