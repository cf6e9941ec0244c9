"""The tools every agent has: ``finish`` ends the run; ``ask_user`` asks the human, when one is present.

Whether the work is done is not ``finish``'s to judge: the checks run before it (see :mod:`autogpt.checks`).
"""

from __future__ import annotations

from autogpt.errors import ToolError
from autogpt.tools.registry import Tool, ToolContext


def finish(reason: str, ctx: ToolContext) -> str:
    """Call this when every goal is done (or cannot be done): it ends the task.

    Args:
        reason: A short summary of what was achieved, for the user.
    """
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
