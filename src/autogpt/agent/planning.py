"""The plan: the sub-tasks the model gives in its thoughts, kept up to date by the loop.

Small models mark a sub-task ``doing`` when they issue its command and rarely come back to mark it ``done``;
shown a stale plan, they redo finished work. So when a command succeeds, the loop marks the sub-task it
served as done: the one in progress, or else the first one still to do.

They also mark a sub-task done that never happened ("Create countdown.txt": done, with no such file) and then
finish. So before each prompt, a done sub-task whose file is not in the workspace goes back to "todo".
"""

from __future__ import annotations

from collections.abc import Callable

from autogpt.agent.schema import PlanItem


def advance(plan: list[PlanItem]) -> list[PlanItem]:
    """The plan after the current sub-task's command succeeded."""
    current = next((i for i, item in enumerate(plan) if item.status == "doing"), None)
    if current is None:
        current = next((i for i, item in enumerate(plan) if item.status == "todo"), None)
    if current is None:
        return plan
    return [item.model_copy(update={"status": "done"}) if i == current else item for i, item in enumerate(plan)]


def reopen_missing(plan: list[PlanItem], missing: Callable[[str], list[str]]) -> tuple[list[PlanItem], list[str]]:
    """The plan with every done sub-task that names a file still missing (``missing(task)``) set back to todo,
    and those files."""
    reopened: list[str] = []
    checked = []
    for item in plan:
        absent = missing(item.task) if item.status == "done" else []
        reopened += [name for name in absent if name not in reopened]
        checked.append(item.model_copy(update={"status": "todo"}) if absent else item)
    return checked, reopened
