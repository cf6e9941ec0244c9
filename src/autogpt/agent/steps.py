"""The run's memory: a list of typed steps, each able to render itself for the prompt.

* :class:`ActionStep`: the model proposed a command; it ran (or was refused) and produced an observation.
* :class:`FeedbackStep`: the human answered a proposal with feedback instead of running it.
* :class:`NoteStep`: the human said something at a pause.
* :class:`ErrorStep`: the model's reply could not be parsed, even after being told why.

``render`` gives the full form used for recent steps; ``summary_line`` the one-line form used for older
ones. :mod:`autogpt.memory.short_term` turns them into the history the model reads.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from autogpt.agent.prompts import TEXT, Language, t
from autogpt.agent.schema import Reply


class StepBase(BaseModel):
    number: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0

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
