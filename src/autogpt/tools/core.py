"""The tools every agent has: ``finish`` ends the run; ``ask_user`` asks the human, when one is present."""

from __future__ import annotations

import re

from autogpt.errors import ToolError
from autogpt.tools.registry import Tool, ToolContext

_EXTENSIONS = ("txt md markdown rst csv tsv json jsonl yaml yml toml ini cfg xml html htm css js ts py ipynb sh "
               "sql log tex cpp hpp java go rs rb php svg png jpg jpeg gif pdf docx xlsx pptx").split()  # no .c / .h: "D.C."
# An ASCII file name with a known extension, not part of a longer word or a URL (CJK text may touch it).
_EXTENSION = "|".join(_EXTENSIONS)
_FILE_NAME = re.compile(rf"(?<![A-Za-z0-9_./\\-])([A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:{_EXTENSION}))(?![A-Za-z0-9_])",
                        re.IGNORECASE)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_NOT_FILES = {"node.js", "vue.js", "next.js", "nuxt.js", "react.js", "three.js", "d3.js", "chart.js", "express.js"}


def named_files(text: str) -> list[str]:
    """Relative file names mentioned in ``text`` ("write it to fib.txt" → ``["fib.txt"]``), URLs left out."""
    names = [n.strip(".") for n in _FILE_NAME.findall(_URL.sub(" ", text))]
    return list(dict.fromkeys(n for n in names
                              if n.lower() not in _NOT_FILES and not n.startswith("/") and ".." not in n.split("/")))


def missing_files(ctx: ToolContext, reason: str = "") -> list[str]:
    """Files the goals (or the finish reason) name that the workspace does not have."""
    missing = []
    for name in named_files("\n".join([*ctx.goals, reason])):
        try:
            if not ctx.workspace.resolve(name).exists():
                missing.append(name)
        except ToolError:  # a name the workspace refuses: not ours to check
            continue
    return missing


def finish(reason: str, ctx: ToolContext) -> str:
    """Call this when every goal is done (or cannot be done): it ends the task.

    Args:
        reason: A short summary of what was achieved, for the user.
    """
    # The run's evaluation against its goals: claiming a file that was never written is the commonest false
    # finish. Refused once per missing file; finishing again (e.g. to explain why it cannot be made) ends the run.
    warned: set[str] = ctx.extras.setdefault("finish_missing_warned", set())
    missing = [name for name in missing_files(ctx, reason) if name not in warned]
    if missing:
        warned.update(missing)
        listed, one = ", ".join(missing), len(missing) == 1
        raise ToolError(f"Not finished: {listed} {'does' if one else 'do'} not exist in the workspace, but the task "
                        f"names {'it' if one else 'them'}. Next, write {'it' if one else 'each'}: "
                        f"write_file(path=\"{missing[0]}\", content=...). If that cannot be done, call finish "
                        "again and say why.")
    return reason


async def ask_user(question: str, ctx: ToolContext) -> str:
    """Ask the human user a question and wait for the answer. Use only when you cannot proceed without it.

    Args:
        question: The question to ask.
    """
    if ctx.ask_human is None:
        raise ToolError("No human is present to answer; decide on your own.")
    answer = await ctx.ask_human(question)
    return f"The user answered: {answer}" if answer.strip() else "The user gave no answer."


FINISH = Tool(finish, ends_run=True)
ASK_USER = Tool(ask_user, requires_human=True)
