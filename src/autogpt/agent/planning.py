"""The plan: the sub-tasks the model gives in its thoughts, kept up to date by the loop.

Small models mark a sub-task ``doing`` when they issue its command and rarely come back to mark it ``done``;
shown a stale plan, they redo finished work. So when a command succeeds, the loop marks the sub-task it
served as done: the one that names what the command worked on (its file or address), else the one in
progress, else the first one still to do. (A model read a page while its plan said "Read the page: todo",
"Write answer.txt: doing"; marking the write done, and the read left to do, it read the page again.)

They also mark a sub-task done that never happened ("Create countdown.txt": done, with no such file) and then
finish. So before each prompt, a done sub-task whose file is not in the workspace goes back to "todo".

And they copy a sub-task the loop marked done back into their next plan as "todo", then do it again
(a model wrote the same file four times this way): a sub-task of the new plan that is word for word one the
plan had done stays done (:func:`keep_done`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from autogpt.agent.schema import PlanItem


def advance(plan: list[PlanItem], targets: Iterable[str] = ()) -> list[PlanItem]:
    """The plan after the current sub-task's command succeeded; ``targets``: the files or addresses it worked on."""
    targets = [target for target in targets if len(target) >= 3]
    current = next((i for i, item in enumerate(plan)
                    if item.status != "done" and any(target in item.task for target in targets)), None)
    if current is None:
        current = next((i for i, item in enumerate(plan) if item.status == "doing"), None)
    if current is None:
        current = next((i for i, item in enumerate(plan) if item.status == "todo"), None)
    if current is None:
        return plan
    return [item.model_copy(update={"status": "done"}) if i == current else item for i, item in enumerate(plan)]


def keep_done(old: list[PlanItem], new: list[PlanItem]) -> list[PlanItem]:
    """The model's ``new`` plan, with the sub-tasks that ``old`` had done kept done (compared without case and
    final punctuation)."""
    done = {_key(item.task) for item in old if item.status == "done"}
    return [item.model_copy(update={"status": "done"}) if item.status != "done" and _key(item.task) in done else item
            for item in new]


def _key(task: str) -> str:
    return " ".join(task.split()).rstrip(".。!！ ").casefold()


def targets(args: dict[str, Any]) -> list[str]:
    """What a command with ``args`` works on, as a plan might name it: its one-line arguments (a path, an
    address) and their last part (``company.html`` of ``http://127.0.0.1/company.html``)."""
    found: list[str] = []
    for value in args.values():
        if isinstance(value, str) and 0 < len(value) <= 200 and "\n" not in value:
            found += [value, value.rstrip("/").rsplit("/", 1)[-1]]
    return list(dict.fromkeys(found))


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
