"""Test utilities for autogpt and for your own agents' tests.

:class:`ScriptedModel` plays back queued replies (text, dicts, exceptions, or functions of the request),
records every request, and checks with :meth:`~ScriptedModel.assert_complete` that the script was used up.

    model = ScriptedModel([
        reply("write_file", path="a.txt", content="hello"),
        reply("finish", reason="done"),
    ])
    result = AutoGPT(goals=["Write hello to a.txt"], model=model).run()
    model.assert_complete()

It is never used unless you pass it (or name ``scripted:FILE.json`` as the model).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from autogpt.errors import ConfigError, ScriptExhaustedError
from autogpt.llm.base import Completion, Model, ModelRequest, ToolCall, Usage, estimate_tokens

ScriptItem = str | dict[str, Any] | BaseException | Completion | Callable[[ModelRequest], Any]


def reply(command: str, /, thoughts: dict[str, Any] | None = None, **args: Any) -> dict[str, Any]:
    """A well-formed agent reply running ``command`` with ``args``."""
    return {
        "thoughts": thoughts or {"observations": "", "reasoning": f"Next I run {command}.", "plan": [],
                                 "criticism": "", "speak": f"Running {command}."},
        "command": {"name": command, "args": args},
    }


def all_met(request: ModelRequest) -> dict[str, Any]:
    """The goal verifier's reply saying every goal is met: pass it as ``ScriptedModel(answers={"verify": all_met})``.

    The verifier's schema has one property per goal (``goal_1``, ``goal_2``, ...), each ``{met, evidence}``.
    """
    keys = list((request.response_schema or {}).get("properties", {}))
    return {key: {"evidence": "The output shows it.", "met": True} for key in keys}


class ScriptedModel(Model):
    """A model that returns scripted replies in order. Public: use it in your own tests."""

    def __init__(
        self,
        script: Iterable[ScriptItem] = (),
        *,
        model_id: str = "scripted",
        context_size: int = 8192,
        delay: float = 0.0,
        price: tuple[float, float] = (0.0, 0.0),
        stream: bool = True,
        answers: dict[str, Callable[[ModelRequest], Any]] | None = None,
    ) -> None:
        super().__init__()
        self.id = model_id
        self.context_size = context_size
        self.price = price
        self.delay = delay
        self.stream = stream
        self.script: list[ScriptItem] = list(script)
        #: {purpose: function of the request}: requests with that ``ModelRequest.purpose`` are answered by it
        #: and do not use up the script (e.g. ``{"verify": all_met}`` for the goal verifier)
        self.answers = dict(answers or {})
        self.calls: list[ModelRequest] = []
        self.prepared = False

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedModel:
        """Read a JSON list of replies (strings or objects); used by ``--model scripted:FILE``.

        An object ``{"delay": seconds}`` as the first item sets the delay before each reply; ``{"verify": "met"}``
        as a first item answers the goal verifier's every request with "met" (:func:`all_met`);
        ``{"error": "message"}`` raises a ModelError at that point of the script.
        """
        try:
            items = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"Cannot read the scripted model file {path}: {exc}") from None
        if not isinstance(items, list):
            raise ConfigError(f"The scripted model file {path} must hold a JSON list of replies.")
        delay, answers = 0.0, {}
        while items and isinstance(items[0], dict) and set(items[0]) in ({"delay"}, {"verify"}):
            first = items.pop(0)
            if "delay" in first:
                delay = float(first["delay"])
            elif first["verify"] == "met":
                answers["verify"] = all_met
        from autogpt.errors import ModelAPIError

        script = [ModelAPIError(i["error"]) if isinstance(i, dict) and set(i) == {"error"} else i for i in items]
        return cls(script, model_id=f"scripted:{path}", delay=delay, answers=answers)

    def add(self, *items: ScriptItem) -> ScriptedModel:
        self.script.extend(items)
        return self

    async def prepare(self, report: Any = None) -> None:
        self.prepared = True

    async def complete(self, request: ModelRequest) -> Completion:
        started = time.perf_counter()
        self.calls.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.purpose in self.answers:
            item: ScriptItem = self.answers[request.purpose](request)
            if inspect.isawaitable(item):  # another model answers it (e.g. a real verifier in a scripted run)
                item = await item
        elif not self.script:
            raise ScriptExhaustedError(
                f"ScriptedModel ran out of replies after {len(self.calls) - 1} calls. "
                f"Last prompt ended with: {request.messages[-1].content[-300:]!r}"
            )
        else:
            item = self.script.pop(0)
        if callable(item) and not isinstance(item, BaseException):
            item = item(request)
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, Completion):
            completion = item
        else:
            text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
            prompt = sum(estimate_tokens(m.content) for m in request.messages)
            completion = Completion(text=text, usage=Usage(prompt, estimate_tokens(text)), model=self.id)
        if self.stream and request.on_token and completion.text:
            for piece in _pieces(completion.text):
                request.on_token(piece)
        completion.cost = self.cost_of(completion.usage)
        completion.seconds = completion.seconds or time.perf_counter() - started
        return completion

    def assert_complete(self) -> None:
        """Fail if scripted replies were left unused."""
        if self.script:
            raise AssertionError(f"ScriptedModel has {len(self.script)} unused replies: {self.script[:3]!r}")

    @staticmethod
    def tool_call(name: str, text: str = "", **args: Any) -> Completion:
        """A completion carrying a native tool call (as OpenAI-style APIs return)."""
        return Completion(text=text, tool_calls=[ToolCall(name, json.dumps(args))], usage=Usage(10, 10))


def _pieces(text: str, size: int = 16) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


class ScriptedHuman:
    """A human that gives queued answers in order (approvals, answers to questions, replies at a pause)."""

    def __init__(self, answers: Iterable[str] = ()) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    async def _next(self, prompt: str) -> str:
        self.asked.append(prompt)
        if not self.answers:
            raise AssertionError(f"ScriptedHuman has no answer left for: {prompt}")
        return self.answers.pop(0)

    async def approve(self, step: int, reply: Any) -> str:
        return await self._next(f"approve {step}: {reply.command.short()}")

    async def ask(self, question: str) -> str:
        return await self._next(f"ask: {question}")

    async def paused(self) -> str:
        return await self._next("paused")

    def assert_complete(self) -> None:
        if self.answers:
            raise AssertionError(f"ScriptedHuman has {len(self.answers)} unused answers: {self.answers!r}")


__all__ = ["ScriptedHuman", "ScriptedModel", "all_met", "reply"]
