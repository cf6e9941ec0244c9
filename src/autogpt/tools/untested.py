"""Code the model wrote and never ran.

Asked for a module, the embedded model writes ``slugify.py`` (sometimes a test file too) and finishes at once,
without running either: in the benchmark, Slugify and ParseDuration were "done" with code that failed their
tests. ``write_file`` and ``append_file`` note every ``.py`` file they write; a program run that names it
(``import slugify``, ``execute_python_file("test_slugify.py")``) counts as trying it; ``finish`` asks once to
test what is still untried.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from autogpt.errors import ToolError
from autogpt.tools.registry import ToolContext

UNRUN = "unrun_code"  # ToolContext.extras: the .py files written and not run since


def module_name(path: str) -> str:
    """The name code imports a workspace file by: ``"lib/slug.py"`` → ``"lib.slug"``."""
    return PurePosixPath(path).with_suffix("").as_posix().replace("/", ".")


def note_written(ctx: ToolContext, relative: str) -> None:
    """A file was written: a ``.py`` one is untried until a run names it."""
    if relative.endswith(".py"):
        ctx.extras.setdefault(UNRUN, set()).add(relative)


def note_ran(ctx: ToolContext, *texts: str) -> None:
    """A program ran: every untried file it names (by path or module name) counts as tried."""
    unrun: set[str] = ctx.extras.get(UNRUN, set())
    for path in list(unrun):
        named = re.compile(rf"(?<![\w.]){re.escape(module_name(path))}(?![\w])|{re.escape(PurePosixPath(path).name)}")
        if any(named.search(text) for text in texts):
            unrun.discard(path)


def untried(ctx: ToolContext) -> list[str]:
    """The ``.py`` files written and not run since, that are still in the workspace."""
    found = []
    for path in sorted(ctx.extras.get(UNRUN, set())):
        try:
            if ctx.workspace.resolve(path).is_file():
                found.append(path)
        except (ToolError, OSError):  # a path the workspace refuses is not ours to check
            continue
    return found
