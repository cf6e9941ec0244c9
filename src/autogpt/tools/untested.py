"""Code the model wrote and never ran, or whose last run failed.

Asked for a module, the embedded model writes ``slugify.py`` (sometimes a test file too) and finishes at once,
without running either: in the benchmark, Slugify and ParseDuration were "done" with code that failed their
tests. ``write_file`` and ``append_file`` note every ``.py`` file they write; a program run that names it
(``import slugify``, ``execute_python_file("test_slugify.py")``) counts as trying it; ``finish`` asks once to
test what is still untried. The run's outcome is noted too: ParseDuration's model ran its asserts, saw them
fail, and finished saying the module "passes all assertions"; ``finish`` asks once to fix what failed.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import PurePosixPath

from autogpt.errors import ToolError
from autogpt.tools.registry import ToolContext

UNRUN = "unrun_code"  # ToolContext.extras: the .py files written and not run since
WRITTEN = "written_code"  # ToolContext.extras: every .py file written in the run
FAILING = "failing_code"  # ToolContext.extras: {.py file: the error the last run that named it ended with}
RAN_OK = "ran_a_program"  # ToolContext.extras: True once a program has run to its end without error
#: The nodes that define a name a module gives: functions and classes.
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
SHOWN = "program_results"  # ToolContext.extras: what the last programs that worked showed (output, files written)


def module_name(path: str) -> str:
    """The name code imports a workspace file by: ``"lib/slug.py"`` → ``"lib.slug"``."""
    return PurePosixPath(path).with_suffix("").as_posix().replace("/", ".")


def import_line(ctx: ToolContext, path: str) -> str:
    """How a test imports the workspace module ``path``: ``from slugify import slugify`` for what it defines at
    its top level, ``import slugify`` when that cannot be told. Told to write code "that imports slugify",
    Slugify's model wrote ``import slugify`` and called the module."""
    module, names = module_name(path), _given_names(ctx, path)
    return f"from {module} import {', '.join(names[:4])}" if names else f"import {module}"


def _given_names(ctx: ToolContext, path: str) -> list[str]:
    """The public functions and classes the workspace module ``path`` defines at its top level."""
    try:
        code = ctx.workspace.read_text(path)
    except (ToolError, OSError):
        return []
    try:
        names = [node.name for node in ast.parse(code).body if isinstance(node, DEFINITIONS)]
    except (SyntaxError, ValueError):  # a stub without a body (Slugify's): its names as written
        names = re.findall(r"^(?:async\s+)?(?:def|class)\s+(\w+)", code, re.MULTILINE)
    return [name for name in names if not name.startswith("_")]


_VALUE = r"""'[^'\n]*'|"[^"\n]*"|-?\d+(?:\.\d+)?|True|False|None"""
_ARGS = r"""(?:[^()'"\n]|'[^'\n]*'|"[^"\n]*")*"""
_GIVES = r"\s*(?:==|->|→|=>|returns|gives|should return|返回|得到)\s*"


def example_asserts(goals: str, names: list[str]) -> list[str]:
    """The examples the goals give for the functions ``names``, as asserts: ``slugify('Hello, World!') ==
    'hello-world'`` and, for the one function the goals name, ``'1h30m' -> 5400`` (ParseDuration). Told to test
    "with an assert for each example", the embedded model wrote modules and never tested them."""
    found = []
    for name in names:
        for args, value in re.findall(rf"\b{re.escape(name)}\(({_ARGS})\){_GIVES}({_VALUE})", goals):
            found.append(f"assert {name}({args}) == {value}")
    asked = [name for name in names if re.search(rf"\bfunction\s+`?{re.escape(name)}\(", goals)]
    if len(asked) == 1:
        for arg, value in re.findall(rf"""(?<![\w(])('[^'\n]*'|"[^"\n]*"){_GIVES}({_VALUE})""", goals):
            found.append(f"assert {asked[0]}({arg}) == {value}")
    valid = []
    for line in dict.fromkeys(found):
        try:
            ast.parse(line)
        except SyntaxError:
            continue
        valid.append(line)
    return valid[:8]


def test_call(ctx: ToolContext, path: str) -> tuple[str, bool]:
    """The ``execute_python`` call that tests the workspace module ``path`` with the goals' examples, written out,
    and whether it has them (else its asserts are ``assert ...``, for the model to write)."""
    asserts = example_asserts("\n".join(ctx.goals), _given_names(ctx, path))
    code = "\n".join([import_line(ctx, path), *(asserts or ["assert ..."]), "print('ok')"])
    return f"execute_python(code={json.dumps(code, ensure_ascii=False)})", bool(asserts)


def syntax_error(ctx: ToolContext, path: str) -> str:
    """Python's complaint about the code in ``path``, or "" when it compiles (or cannot be read)."""
    try:
        return compile_error(ctx.workspace.read_text(path), path)
    except (ToolError, OSError):
        return ""


def compile_error(code: str, name: str = "<code>") -> str:
    """Python's complaint about ``code`` ("IndentationError: expected an indented block after function definition
    on line 3 (line 4)"), or "" when it compiles."""
    try:
        compile(code, name, "exec")
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}" + (
            f" (line {exc.lineno})" if getattr(exc, "lineno", None) else "")
    return ""


_CUT_AT_QUOTE = re.compile(r"[(\[{,=+]\s*[fbr]?$")


def cut_at_quote(code: str) -> str:
    """A note when ``code`` stops where a double quote would open a string (``raise ValueError(f``): the reply's
    JSON text ended at that quote, so the rest of the program was lost (ParseDuration, run 19, twice)."""
    broken = compile_error(code)
    # "unterminated string literal": cut inside an f-string (InventoryReport, run 25: print(f'widget: {totals[)
    if not re.search(r"never closed|unexpected EOF|unterminated string literal", broken) or not _CUT_AT_QUOTE.search(
            code.rstrip()):
        return ""
    return (f"\nNote: the code stops at {code.rstrip().splitlines()[-1].strip()!r}: the double quote that came next "
            "ended the text of your reply there, and the rest was lost. In the code, use single quotes ('...'), "
            "or write a double quote inside a reply's text as \\\".")


def note_written(ctx: ToolContext, relative: str) -> None:
    """A file was written: a ``.py`` one is untried until a run names it."""
    if relative.endswith(".py"):
        ctx.extras.setdefault(UNRUN, set()).add(relative)
        ctx.extras.setdefault(WRITTEN, set()).add(relative)
        ctx.extras.get(FAILING, {}).pop(relative, None)  # changed: its next run will tell


def note_ran(ctx: ToolContext, *texts: str) -> list[str]:
    """A program is run: every written file it names (by path or module name) counts as tried. Returns them."""
    named_now = []
    for path in sorted(ctx.extras.get(WRITTEN, set())):
        named = re.compile(rf"(?<![\w.]){re.escape(module_name(path))}(?![\w])|{re.escape(PurePosixPath(path).name)}")
        if any(named.search(text) for text in texts):
            ctx.extras.get(UNRUN, set()).discard(path)
            named_now.append(path)
    return named_now


def note_untried(ctx: ToolContext, path: str) -> None:
    """A run of ``path`` showed nothing: a written file still counts as untried (Slugify's model ran slugify.py,
    which only defines slugify(), saw no output, and finished)."""
    if path in ctx.extras.get(WRITTEN, set()):
        ctx.extras.setdefault(UNRUN, set()).add(path)


def note_outcome(ctx: ToolContext, paths: list[str], error: str = "") -> None:
    """How the run that named ``paths`` ended: ``error`` (its last line) if it failed, "" if it worked."""
    if not error:
        ctx.extras[RAN_OK] = True
    failing: dict[str, str] = ctx.extras.setdefault(FAILING, {})
    for path in paths:
        if error:
            failing[path] = error
        else:
            failing.pop(path, None)


def note_shown(ctx: ToolContext, text: str) -> None:
    """A program that worked showed ``text`` (its output and the files it wrote); the last ten are kept."""
    shown: list[str] = ctx.extras.setdefault(SHOWN, [])
    shown[:] = [*shown[-9:], text]


def ran_a_program(ctx: ToolContext) -> bool:
    """Whether a program has run to its end without error in this task."""
    return bool(ctx.extras.get(RAN_OK))


def failing(ctx: ToolContext) -> dict[str, str]:
    """The written ``.py`` files whose last run failed, with its error, still in the workspace and unchanged."""
    return {path: error for path, error in ctx.extras.get(FAILING, {}).items() if _exists(ctx, path)}


def untried(ctx: ToolContext) -> list[str]:
    """The ``.py`` files written and not run since, that are still in the workspace."""
    return [path for path in sorted(ctx.extras.get(UNRUN, set())) if _exists(ctx, path)]


def _exists(ctx: ToolContext, path: str) -> bool:
    try:
        return ctx.workspace.resolve(path).is_file()
    except (ToolError, OSError):  # a path the workspace refuses is not ours to check
        return False
