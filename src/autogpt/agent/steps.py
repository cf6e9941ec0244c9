"""The run's memory: a list of typed steps, each able to render itself for the prompt.

* :class:`ActionStep`: the model proposed a command; it ran (or was refused) and produced an observation.
* :class:`FeedbackStep`: the human answered a proposal with feedback instead of running it.
* :class:`NoteStep`: the human said something at a pause.
* :class:`ErrorStep`: the model's reply could not be parsed, even after being told why.

``render`` gives the full form used for recent steps; ``summary_line`` the one-line form used for older
ones. :mod:`autogpt.memory.short_term` turns them into the history the model reads.

Every step also says where its time went (:class:`StepTiming`, timed by a :class:`StepClock`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Iterable
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, Field, computed_field

from autogpt.agent.prompts import TEXT, Language, t
from autogpt.agent.schema import Reply
from autogpt.llm.base import Completion

T = TypeVar("T")


class StepTiming(BaseModel):
    """Where one step's time went (seconds) and its tokens, every model call of the step added up (a retried
    reply, the goal verifier before ``finish``).

    ``seconds`` is prompt + generation + model other + tools + ours: the model's prompt evaluation and generation
    as it reports them (:class:`autogpt.llm.base.Timing`; ``sample_seconds`` is part of generation), the model's
    other work (chat template, tokenizing, the grammar, passing text on: the rest of its calls' wall time), the
    command, and the agent's own code (prompts, parsing, checks, saving and reporting the steps). A step runs from
    the end of the one before (or the model loaded) until it is recorded; waits for the human are not in it.
    """

    seconds: float = 0.0
    model_seconds: float = 0.0  # wall time of the model calls
    prompt_seconds: float = 0.0
    generation_seconds: float = 0.0
    sample_seconds: float = 0.0
    tool_seconds: float = 0.0
    prompt_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens taken from the KV cache (or a provider's cache)
    completion_tokens: int = 0
    model_calls: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def new_tokens(self) -> int:
        """Prompt tokens the model evaluated."""
        return max(0, self.prompt_tokens - self.cached_tokens)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def model_other_seconds(self) -> float:
        return round(max(0.0, self.model_seconds - self.prompt_seconds - self.generation_seconds), 4)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ours_seconds(self) -> float:
        return round(max(0.0, self.seconds - self.model_seconds - self.tool_seconds), 4)

    @property
    def split(self) -> bool:
        """Whether the model said how its time went (an API reply that did not stream does not)."""
        return bool(self.prompt_seconds or self.generation_seconds)

    @classmethod
    def total(cls, timings: Iterable[StepTiming]) -> StepTiming:
        summed = cls()
        for timing in timings:
            for name in cls.model_fields:
                setattr(summed, name, getattr(summed, name) + getattr(timing, name))
        return summed

    def shares(self) -> dict[str, float]:
        """Each part's fraction of ``seconds``: prompt, generation (sampling within it), model other, tools, ours."""
        whole = self.seconds or 1.0
        return {"prompt": self.prompt_seconds / whole, "generation": self.generation_seconds / whole,
                "sampling": self.sample_seconds / whole, "model_other": self.model_other_seconds / whole,
                "tools": self.tool_seconds / whole, "ours": self.ours_seconds / whole}

    def line(self, label: str = "step") -> str:
        """``prompt 1,532 tok (1,380 cached, 152 new) 2.4 s · gen 148 tok 9.8 s (sample 1.1 s) · model other 0.3 s ·
        tools 0.6 s · ours 0.1 s · step 13.2 s``"""
        parts = []
        if self.model_calls:
            split = self.split
            parts.append(f"prompt {self.prompt_tokens:,} tok ({self.cached_tokens:,} cached, {self.new_tokens:,} new)"
                         + (f" {_secs(self.prompt_seconds)}" if split else ""))
            sample = f" (sample {_secs(self.sample_seconds)})" if self.sample_seconds else ""
            parts.append(f"gen {self.completion_tokens:,} tok" + (f" {_secs(self.generation_seconds)}{sample}" if split else ""))
            parts.append(f"model other {_secs(self.model_other_seconds)}" if split else f"model {_secs(self.model_seconds)}")
            if self.model_calls > 1:
                parts.append(f"{self.model_calls} model calls")
        parts += [f"tools {_secs(self.tool_seconds)}", f"ours {_secs(self.ours_seconds)}", f"{label} {_secs(self.seconds)}"]
        return " · ".join(parts)


def _secs(seconds: float) -> str:
    if seconds < 0.1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 1 else f"{seconds:.1f} s"


class StepClock:
    """Times one step for its :class:`StepTiming`: started when the step starts; the loop runs each model call,
    command and wait for the human through it, and :meth:`stop` when the step is recorded."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.timing = StepTiming()
        self._waited = 0.0

    async def model(self, call: Awaitable[Completion]) -> Completion:
        started = time.perf_counter()
        try:
            completion = await call
        finally:
            wall = time.perf_counter() - started
            self.timing.model_seconds += wall
        usage, parts, timing = completion.usage, completion.timing, self.timing
        timing.model_calls += 1
        timing.prompt_tokens += usage.prompt_tokens
        timing.cached_tokens += min(usage.cached_tokens, usage.prompt_tokens)
        timing.completion_tokens += usage.completion_tokens
        prompt = min(parts.prompt_seconds, wall)  # never more than the call took, whatever the model says
        generation = min(parts.generation_seconds, wall - prompt)
        timing.prompt_seconds += prompt
        timing.generation_seconds += generation
        timing.sample_seconds += min(parts.sample_seconds, generation)
        return completion

    async def tool(self, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            return await call
        finally:
            self.timing.tool_seconds += time.perf_counter() - started

    async def wait(self, call: Awaitable[T]) -> T:
        """A wait for the human: not part of the step's time."""
        started = time.perf_counter()
        try:
            return await call
        finally:
            self._waited += time.perf_counter() - started

    def stop(self) -> StepTiming:
        timing = self.timing.model_copy()
        timing.seconds = max(time.perf_counter() - self.started - self._waited,
                             timing.model_seconds + timing.tool_seconds)
        for name in ("seconds", "model_seconds", "prompt_seconds", "generation_seconds", "sample_seconds",
                     "tool_seconds"):
            setattr(timing, name, round(getattr(timing, name), 4))
        return timing


class StepBase(BaseModel):
    number: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    timing: StepTiming = Field(default_factory=StepTiming)

    def render(self, lang: Language, latest: bool = False) -> str:
        """The step in full, as the model reads it in its history (``latest``: as the last step of it)."""
        raise NotImplementedError

    def summary_line(self, lang: Language) -> str:
        """The step in one line, for older history."""
        raise NotImplementedError


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_WHOLE = 4000  # characters of a text of the last step shown, at most


class ActionStep(StepBase):
    kind: Literal["action"] = "action"
    reply: Reply
    executed: bool = True
    ok: bool = True
    observation: str = ""
    untrusted: bool = False  # the output came from outside (the web): data, never instructions
    #: what the checks added to the result (see :mod:`autogpt.checks`), shown after it
    notes: list[str] = Field(default_factory=list)
    #: the workspace files the command created or changed
    changed: list[str] = Field(default_factory=list)

    def _outcome(self, lang: Language, command: str) -> str:
        notes = "".join(f"\n{note}" for note in self.notes)
        return self._result(lang, command) + notes

    def _result(self, lang: Language, command: str) -> str:
        if not self.executed:
            return t(lang, "not_executed", command=command, reason=self.observation)
        if not self.ok:
            return t(lang, "failed", command=command, error=self.observation)
        if self.untrusted:  # the page cannot close the marker early: its own markers are defused
            body = self.observation.replace("<<<", "‹‹‹").replace(">>>", "›››")
            return f"{t(lang, 'result', command=command)} {t(lang, 'untrusted')}\n<<<untrusted\n{body}\nuntrusted>>>"
        return f"{t(lang, 'result', command=command)}\n{self.observation}"

    def _command(self, lang: Language, limit: int) -> str:
        # A failed step's long texts are not shown in part: the shortened head was sent back as if whole.
        return self.reply.command.short(limit, hidden="" if self.ok else TEXT[lang]["not_shown"])

    def render(self, lang: Language, latest: bool = False) -> str:
        # The last step's texts whole (a program, a file): the next step often changes one line of it, and a text
        # shown cut comes back cut. Older steps' are cut, so that the prompt stays short.
        return f"{self.number}. {self._outcome(lang, self._command(lang, _WHOLE if latest else 80))}"

    def summary_line(self, lang: Language) -> str:
        mark = "→" if self.executed and self.ok else "✗"
        return f"{self.number}. {self._command(lang, 40)} {mark} {_one_line(self.observation, 120)}"


class FeedbackStep(StepBase):
    kind: Literal["feedback"] = "feedback"
    reply: Reply
    feedback: str

    def render(self, lang: Language, latest: bool = False) -> str:
        return f"{self.number}. {t(lang, 'feedback', command=self.reply.command.short(), feedback=self.feedback)}"

    def summary_line(self, lang: Language) -> str:
        return f"{self.number}. {self.reply.command.short(40)} ✗ {_one_line(t(lang, 'human_note', text=self.feedback))}"


class NoteStep(StepBase):
    kind: Literal["note"] = "note"
    text: str

    def render(self, lang: Language, latest: bool = False) -> str:
        return f"{self.number}. {t(lang, 'human_note', text=self.text)}"

    def summary_line(self, lang: Language) -> str:
        return f"{self.number}. {_one_line(t(lang, 'human_note', text=self.text))}"


class ErrorStep(StepBase):
    kind: Literal["error"] = "error"
    error: str
    raw: str = ""

    def render(self, lang: Language, latest: bool = False) -> str:
        return f"{self.number}. {t(lang, 'bad_reply', error=self.error)}"

    def summary_line(self, lang: Language) -> str:
        return f"{self.number}. ✗ {_one_line(self.error)}"


Step = Annotated[ActionStep | FeedbackStep | NoteStep | ErrorStep, Field(discriminator="kind")]
