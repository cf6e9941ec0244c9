"""Human control and budgets: who approves a command, and when a run must stop.

Approval answers, as AutoGPT users know them: ``y`` (or Enter) runs the command, ``y -N`` runs it and the
next N-1 without asking, ``n`` stops the run, anything else is feedback sent to the model instead.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from autogpt.agent.schema import Reply
from autogpt.llm.base import Completion

YES = {"", "y", "yes", "ok", "是", "好", "好的", "确认", "执行"}
NO = {"n", "no", "stop", "exit", "quit", "否", "不", "停止", "退出"}


@dataclass(frozen=True)
class Decision:
    action: Literal["run", "stop", "feedback"]
    feedback: str = ""
    auto_steps: int = 0  # further steps to run without asking (from "y -N")


def parse_decision(answer: str) -> Decision:
    text = answer.strip()
    lowered = text.lower()
    if lowered in YES:
        return Decision("run")
    if match := re.fullmatch(r"(?:y|yes|是)\s*-\s*(\d+)", lowered):
        return Decision("run", auto_steps=max(int(match.group(1)) - 1, 0))
    if lowered in NO:
        return Decision("stop")
    return Decision("feedback", feedback=text)


class Human(Protocol):
    """Somebody who approves commands and answers questions. The CLI's console is one."""

    async def approve(self, step: int, reply: Reply) -> str:
        """Return the answer text for the proposed command (see :func:`parse_decision`)."""
        ...

    async def ask(self, question: str) -> str:
        """Answer the agent's question (the ``ask_user`` tool)."""
        ...

    async def paused(self) -> str:
        """The run is paused (Ctrl-C): return "" to go on, "n" to stop, or a note for the model."""
        ...


@dataclass
class CallbackHuman:
    """A :class:`Human` made of functions (sync or async), for programs and tests.

    ``approve(step, reply) -> str``, ``ask(question) -> str``, ``paused() -> str``.
    """

    on_approve: Callable[[int, Reply], str | Awaitable[str]] = lambda step, reply: "y"
    on_ask: Callable[[str], str | Awaitable[str]] = lambda question: ""
    on_pause: Callable[[], str | Awaitable[str]] = lambda: ""

    async def approve(self, step: int, reply: Reply) -> str:
        return await _maybe_await(self.on_approve(step, reply))

    async def ask(self, question: str) -> str:
        return await _maybe_await(self.on_ask(question))

    async def paused(self) -> str:
        return await _maybe_await(self.on_pause())


async def _maybe_await(value: str | Awaitable[str]) -> str:
    return await value if inspect.isawaitable(value) else value  # type: ignore[return-value]


@dataclass
class Budget:
    """Limits of a run; ``None`` means unlimited. ``max_cost`` is USD (local models cost 0)."""

    max_steps: int | None = 30
    max_tokens: int | None = None
    max_cost: float | None = None
    max_seconds: float | None = None
    steps: int = 0
    tokens: int = 0
    cost: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def charge(self, completion: Completion) -> None:
        self.tokens += completion.usage.total_tokens
        self.cost += completion.cost

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def seconds_left(self) -> float | None:
        return None if self.max_seconds is None else self.max_seconds - self.elapsed()

    def exhausted(self) -> str | None:
        """The status a run ends with if a limit is reached, else ``None``."""
        if self.max_steps is not None and self.steps >= self.max_steps:
            return "max_steps"
        if self.max_tokens is not None and self.tokens >= self.max_tokens:
            return "max_tokens"
        if self.max_cost is not None and self.cost >= self.max_cost:
            return "max_cost"
        if self.max_seconds is not None and self.elapsed() >= self.max_seconds:
            return "max_time"
        return None
