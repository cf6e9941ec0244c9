"""A note on a regular expression of a written module that finds nothing in the text its test gives it, or
that puts a separator for each character of a run (``'hello--world'``).

ParseDuration (runs 23 and 24): the module's ``re.findall(r'(\\b[0-9]+\\b)([a-z]*)', text)`` finds nothing in
``'1h30m'`` (a digit beside a letter is no word boundary), so every call gave 0; told only "gave 0, not 5400", the
model rewrote the loop around the same pattern three times and never looked at the pattern.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from autogpt.errors import ToolError
from autogpt.tools.registry import ToolContext

#: The ``re`` functions that take the parts out of a text. Not ``search``, ``split`` or ``compile``: a module may
#: search for what must not be there (``re.search(r'[^0-9hms]', text)``), and that finding nothing is no mistake.
_TAKERS = ("findall", "finditer", "fullmatch", "match")


def pattern_note(ctx: ToolContext, code: str, stderr: str, tried: list[str]) -> str:
    """For a program that failed on a line giving texts to a module it tests, where a pattern the module searches
    with finds nothing in one of them: the pattern, the text, what ``re`` gives, and, where ``\\b`` is the cause,
    what the pattern finds without it. "" otherwise."""
    line = _failed_line(code, stderr)
    texts = [text for text in _texts(line) if 0 < len(text) <= 200]
    if not texts:
        return ""
    if runs := _runs_note(ctx, line, stderr, tried):
        return runs
    for path, source in _modules(ctx, tried):
        for function, pattern in _patterns(source):
            for text in texts:
                if (found := _finds(function, pattern, text)) is None:
                    continue
                if found:
                    break
                return _note(path, function, pattern, text)
    return ""


def _runs_note(ctx: ToolContext, line: str, stderr: str, tried: list[str]) -> str:
    """For an assert that got a text with a separator doubled (``'hello--world-'``) where it wants it single
    (``'hello-world'``), from a module whose ``re.sub`` puts that separator for each single character its pattern
    matches: a run of them takes ``+``. Slugify, run 29: ``re.sub(r'[^a-z0-9]', '-', text)``, told only "gave
    'hello--world-', not 'hello-world'", the model wrote the same module three times and ran out of time."""
    got = re.search(r"^AssertionError: got '(.*)'$", stderr, re.MULTILINE)
    want = _wanted(line)
    if got is None or not want:
        return ""
    for path, source in _modules(ctx, tried):
        for pattern, separator in _substitutions(source):
            if (separator * 2 in got.group(1) and separator * 2 not in want and not pattern.endswith(("+", "*", "}"))
                    and _finds("match", pattern, " ")):
                ends = (f" Then .strip({separator!r}) removes one at the start or the end."
                        if got.group(1).strip(separator) != got.group(1) and want.strip(separator) == want else "")
                return (f"\nNote: re.sub(r'{pattern}', {separator!r}, ...) in {path} puts one {separator!r} for each "
                        f"character it matches, so two such characters in a row give {separator * 2!r}. With + after it, "
                        f"r'{pattern}+' matches a whole run at once, and the run becomes one {separator!r}.{ends}")
            if got.group(1) != want and got.group(1).strip(separator) == want:
                return (f"\nNote: {got.group(1)!r} has {separator!r} at its start or end, where {want!r} has none: "
                        f"re.sub(r'{pattern}', {separator!r}, ...) in {path} put it there for a character at the edge. "
                        f"Then .strip({separator!r}) removes it: {got.group(1)!r}.strip({separator!r}) gives {want!r}.")
    return ""


def _modules(ctx: ToolContext, tried: list[str]) -> Iterator[tuple[str, str]]:
    """The written ``.py`` files the failed program tried, with their text."""
    for path in tried:
        if not path.endswith(".py"):
            continue
        try:
            yield path, ctx.workspace.read_text(path, max_bytes=65536)
        except ToolError:
            continue


def _wanted(line: str) -> str:
    """The text an ``assert call(...) == 'text'`` line wants, or ""."""
    try:
        tree = ast.parse(line.strip())
    except (SyntaxError, ValueError):
        return ""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Compare) and len(node.comparators) == 1 and isinstance(node.ops[0], ast.Eq)
                and isinstance(node.comparators[0], ast.Constant) and isinstance(node.comparators[0].value, str)):
            return node.comparators[0].value
    return ""


def _substitutions(source: str) -> list[tuple[str, str]]:
    """``(pattern, separator)`` for each ``re.sub('<pattern>', '<one character>', ...)`` call of ``source``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return [(node.args[0].value, node.args[1].value) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "sub"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and len(node.args) >= 2
            and all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args[:2])
            and len(node.args[1].value) == 1]


def _failed_line(code: str, stderr: str) -> str:
    """The program's own line that failed (its last frame in ``<stdin>``), or ""."""
    lines = re.findall(r'File "<stdin>", line (\d+)', stderr)
    source = code.splitlines()
    number = int(lines[-1]) if lines else 0
    return source[number - 1] if 0 < number <= len(source) else ""


def _texts(line: str) -> list[str]:
    """The string constants a line gives as arguments to a call: ``'1h30m'`` in
    ``assert parse_duration('1h30m') == 5400``."""
    try:
        tree = ast.parse(line.strip())
    except (SyntaxError, ValueError):
        return []
    return [argument.value for node in ast.walk(tree) if isinstance(node, ast.Call) for argument in node.args
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str)]


def _patterns(source: str) -> list[tuple[str, str]]:
    """``(function, pattern)`` for each ``re.<function>('<pattern>', ...)`` call of ``source`` that takes parts
    out, but for a pattern of what must not be there (``[^...]``)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            if node.func.attr in _TAKERS and not node.args[0].value.lstrip("^(").startswith("[^"):
                found.append((node.func.attr, node.args[0].value))
    return found


def _finds(function: str, pattern: str, text: str) -> bool | None:
    """Whether ``re.<function>(pattern, text)`` finds anything; ``None`` for a pattern that does not compile."""
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError):
        return None
    if function in ("findall", "finditer"):
        return compiled.search(text) is not None
    return getattr(compiled, function)(text) is not None


def _note(path: str, function: str, pattern: str, text: str) -> str:
    gives = {"findall": "[]", "finditer": "no match"}.get(function, "None")
    note = (f"\nNote: the pattern r'{pattern}' in {path} finds nothing in {text!r}: re.{function} gives {gives}, so "
            "the code never sees its parts.")
    bare = pattern.replace(r"\b", "")
    if bare != pattern and _finds(function, bare, text):
        shown = re.findall(bare, text) if function in ("findall", "finditer") else None
        return note + (r" \b matches only where a letter or digit meets something else, and in "
                       f"{text!r} digits and letters touch. Without \\b, re.findall(r'{bare}', {text!r}) gives "
                       f"{shown!r}." if shown is not None else f" Without \\b the pattern r'{bare}' finds it.")
    return note + (f" Print re.{function}(pattern, {text!r}) and change the pattern until it finds what you mean.")
