"""The plan: the sub-tasks the model gives in its thoughts, kept up to date by the loop.

Small models mark a sub-task ``doing`` when they issue its command and rarely come back to mark it ``done``;
shown a stale plan, they redo finished work. So when a command succeeds, the loop marks the sub-task it
served as done: the one in progress, or else the first one still to do.
"""

from __future__ import annotations

from autogpt.agent.schema import PlanItem


def advance(plan: list[PlanItem]) -> list[PlanItem]:
    """The plan after the current sub-task's command succeeded."""
    current = next((i for i, item in enumerate(plan) if item.status == "doing"), None)
    if current is None:
        current = next((i for i, item in enumerate(plan) if item.status == "todo"), None)
    if current is None:
        return plan
    return [item.model_copy(update={"status": "done"}) if i == current else item for i, item in enumerate(plan)]
