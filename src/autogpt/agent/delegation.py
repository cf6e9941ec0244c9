"""Sub-agents: a run hands a self-contained sub-goal to a child agent and gets back its summary and files.

Two ways in: the ``delegate(goal, role)`` tool (offered while ``delegate_depth`` allows one more level), and
``AutoGPT(...).as_tool()``, which turns a configured agent into a tool of another. Either way the child

* works in a sub-folder of the parent's workspace (``helper-1/``, ...), so the parent sees its files;
* gets a budget carved from what the parent has left: at most ``delegate_max_steps`` steps and never more
  than the parent's own steps left (one is kept for the parent to go on), the parent's seconds, tokens
  and cost left; what the child spends is charged to the parent;
* is stored as a run of its own with its parent's id (``autogpt show`` and the API show it nested), its
  events reach the parent's stream with ``depth`` one higher, and its commands wait for the same approval;
* cannot nest deeper than ``delegate_depth``, and a run starts at most ``delegate_max`` children.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autogpt.agent.control import Budget
from autogpt.agent.events import Event
from autogpt.errors import ToolError
from autogpt.tools.registry import Tool, ToolContext

if TYPE_CHECKING:
    from autogpt.agent.agent import AutoGPT

#: Where a run keeps its :class:`Delegation` in the tools' context.
KEY = "delegation"
#: Children stop being offered when the parent has fewer seconds than this left.
MIN_SECONDS = 30.0


@dataclass
class Delegation:
    """A run's side of delegation: its budget to carve from, its event stream, its children so far."""

    parent: AutoGPT
    run_id: str
    budget: Budget
    forward: Callable[[Event], None]
    depth: int = 0  # 0 for a top-level run
    made: int = 0

    @property
    def settings(self) -> Any:
        return self.parent.settings

    def can_delegate(self) -> bool:
        """Whether the generic ``delegate`` tool is offered in this run."""
        return self.depth < self.settings.delegate_depth

    async def run_child(self, child: AutoGPT, goal: str, ctx: ToolContext) -> str:
        """Run ``child`` on ``goal`` in a sub-folder of the workspace, within the budget carved for it."""
        if self.made >= self.settings.delegate_max:
            raise ToolError(f"This run has already started {self.made} helpers, the most it may "
                            f"(delegate_max = {self.settings.delegate_max}); do the rest yourself.")
        if self.depth >= max(self.settings.delegate_depth, 1):
            raise ToolError(f"Helpers cannot nest deeper than {max(self.settings.delegate_depth, 1)} "
                            "(delegate_depth); do it yourself.")
        goal = " ".join(goal.split())
        if not goal:
            raise ToolError("Give the helper a goal: one self-contained sentence or more.")
        limits = self._carve()
        self.made += 1
        folder = f"helper-{self.made}"
        child.goals = [goal]
        child.workspace = ctx.workspace.root / folder
        child.continuous, child.human = self.parent.continuous, self.parent.human
        child.max_steps, child.max_seconds = limits["max_steps"], limits["max_seconds"]
        child.max_tokens, child.max_cost = limits["max_tokens"], limits["max_cost"]
        child._lineage = (self.run_id, self.budget.steps + 1, self.depth + 1)

        def forward(event: Event) -> None:
            event.depth += 1
            self.forward(event)

        try:
            result = await child.arun(forward)
        finally:
            child.close()  # what it opened itself (not the store and memory it shares)
        self.budget.tokens += result.tokens
        self.budget.cost += result.cost
        files = ", ".join(f"{folder}/{name}" for name in result.artifacts) or "none"
        return (f"Helper {child.ai_name} (run {result.run_id}) ended: {result.status} after {result.steps} "
                f"steps.\nIts summary: {result.summary}\nFiles it wrote: {files}")

    def _carve(self) -> dict[str, Any]:
        """The child's budget: what the parent has left, the parent keeping one step to go on with."""
        b, s = self.budget, self.settings
        steps_left = None if b.max_steps is None else b.max_steps - b.steps - 1
        max_steps = s.delegate_max_steps if steps_left is None else min(s.delegate_max_steps, steps_left)
        if max_steps < 1:
            raise ToolError("Too few steps are left to start a helper; finish the work yourself.")
        seconds = b.seconds_left()
        if seconds is not None and seconds < MIN_SECONDS:
            raise ToolError(f"Only {seconds:.0f} s are left: too little for a helper; finish the work yourself.")
        tokens = None if b.max_tokens is None else b.max_tokens - b.tokens
        cost = None if b.max_cost is None else b.max_cost - b.cost
        if (tokens is not None and tokens <= 0) or (cost is not None and cost <= 0):
            raise ToolError("The token or cost budget is spent; finish the work yourself.")
        return {"max_steps": max_steps, "max_seconds": seconds, "max_tokens": tokens, "max_cost": cost}


def delegation_of(ctx: ToolContext) -> Delegation | None:
    found = ctx.extras.get(KEY)
    return found if isinstance(found, Delegation) else None


def delegate_tool() -> Tool:
    """The generic ``delegate`` tool: a new helper agent (same model and settings) for one sub-goal."""

    async def delegate(goal: str, ctx: ToolContext, role: str = "a careful assistant") -> str:
        """Hand a self-contained sub-goal to a helper agent. It works in its own sub-folder of the workspace
        and reports back its summary and the files it wrote. Use it for a separate piece of work that does not
        need what you have seen so far.

        Args:
            goal: The sub-goal, complete in itself: the helper knows nothing else.
            role: What the helper is, e.g. "a careful tester".
        """
        delegation = delegation_of(ctx)
        if delegation is None or not delegation.can_delegate():
            raise ToolError("delegate is not available in this run.")
        child = delegation.parent._copy_for_child()  # its model, settings, tools, store and memory
        child.ai_name = f"{child.ai_name}-helper-{delegation.made + 1}"
        child.ai_role = role or "a careful assistant"
        return await delegation.run_child(child, goal, ctx)

    return Tool(delegate, available_if=lambda ctx: (d := delegation_of(ctx)) is not None and d.can_delegate()
                and d.made < d.settings.delegate_max, listed_if_unavailable=False)


def agent_tool(agent: AutoGPT, name: str | None = None, description: str | None = None) -> Tool:
    """``agent`` as a tool of another agent (:meth:`AutoGPT.as_tool`)."""
    tool_name = name or "ask_" + (re.sub(r"[^A-Za-z0-9_]+", "_", agent.ai_name).strip("_").lower() or "helper")

    async def run_agent(goal: str, ctx: ToolContext) -> str:
        """Run the helper agent on a goal.

        Args:
            goal: The sub-goal, complete in itself: the helper knows nothing else.
        """
        delegation = delegation_of(ctx)
        child = agent._copy_for_child()
        if delegation is None:  # called outside a run's loop: a run of its own, in a sub-folder
            child.goals, child.workspace = [" ".join(goal.split())], ctx.workspace.root / tool_name
            result = await child.arun()
            return f"{child.ai_name} ended: {result.status}. {result.summary}"
        return await delegation.run_child(child, goal, ctx)

    text = description or (f"Hand a self-contained sub-goal to {agent.ai_name}, {agent.ai_role}. It works in a "
                           "sub-folder of the workspace and reports back its summary and files.")
    return Tool(run_agent, name=tool_name, description=text)


__all__ = ["KEY", "Delegation", "agent_tool", "delegate_tool", "delegation_of"]
