"""A note on a regular expression of a written module that finds nothing in the text its test gives it.

ParseDuration (runs 23 and 24): the module's ``re.findall(r'(\\b[0-9]+\\b)([a-z]*)', text)`` finds nothing in
``'1h30m'`` (a digit beside a letter is no word boundary), so every call gave 0; told only "gave 0, not 5400", the
model rewrote the loop around the same pattern three times and never looked at the pattern.
"""

from __future__ import annotations

import ast
import re

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
    for path in tried:
        if not path.endswith(".py"):
            continue
        try:
            source = ctx.workspace.read_text(path, max_bytes=65536)
        except ToolError:
            continue
        for function, pattern in _patterns(source):
            for text in texts:
                if (found := _finds(function, pattern, text)) is None:
                    continue
                if found:
                    break
                return _note(path, function, pattern, text)
    return ""


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
