"""What a run reports as it goes: ``async for event in agent.astream()`` yields these.

Every event is a small dataclass with a ``type`` and ``to_dict()`` (``autogpt run --json`` prints one per
line). The CLI, the run log and (later) the server all consume the same stream.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass
class Event:
    type: ClassVar[str] = "event"
    run_id: str
    #: The event's number within its run, once the store has it (0 for tokens, which are not stored).
    seq: int = field(default=0, kw_only=True)
    #: 0 for the run being watched; 1 for a helper it delegated to (``run_id`` is the helper's), 2 for its helper
    depth: int = field(default=0, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **asdict(self)}


@dataclass
class RunStarted(Event):
    type: ClassVar[str] = "run_started"
    name: str
    role: str
    goals: list[str]
    workspace: str
    model: str
    language: str
    continuous: bool


@dataclass
class Status(Event):
    """Progress while the model gets ready (assembling, loading); ``progress`` is 0..1 or None."""

    type: ClassVar[str] = "status"
    message: str
    progress: float | None = None


@dataclass
class Thinking(Event):
    type: ClassVar[str] = "thinking"
    step: int
    attempt: int = 1


@dataclass
class Token(Event):
    type: ClassVar[str] = "token"
    step: int
    text: str


@dataclass
class Proposed(Event):
    """The model's reply for this step: its thoughts and the command it wants to run."""

    type: ClassVar[str] = "proposed"
    step: int
    thoughts: dict[str, Any]
    command: dict[str, Any]


@dataclass
class Notice(Event):
    """Something the user should know: a retried reply, a blocked repeat, a pause, human feedback."""

    type: ClassVar[str] = "notice"
    step: int
    message: str
    level: str = "info"  # info | warning | error


@dataclass
class ToolStarted(Event):
    type: ClassVar[str] = "tool_started"
    step: int
    name: str
    args: dict[str, Any]


@dataclass
class ToolFinished(Event):
    type: ClassVar[str] = "tool_finished"
    step: int
    name: str
    ok: bool
    output: str
    seconds: float


@dataclass
class StepFinished(Event):
    """A step is recorded. ``seconds``: its command's; ``timing``: where the whole step's time went and its prompt
    tokens, new and cached (:class:`autogpt.agent.steps.StepTiming` as a dict)."""

    type: ClassVar[str] = "step_finished"
    step: int
    kind: str
    prompt_tokens: int
    completion_tokens: int
    cost: float
    seconds: float
    total_tokens: int
    total_cost: float
    timing: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunFinished(Event):
    type: ClassVar[str] = "run_finished"
    status: str
    summary: str
    steps: int
    artifacts: list[str] = field(default_factory=list)
    tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    workspace: str = ""
    error: str | None = None


@dataclass
class CheckFired(Event):
    """A check of :mod:`autogpt.checks` gave a verdict other than ``allow``: what it said to the model, and why.

    ``verdict`` is ``note`` (added to the result), ``refuse`` (the command was not run; sent again, it is),
    ``narrow`` (the next step's commands were narrowed) or ``propose`` (a rewritten program was offered).
    """

    type: ClassVar[str] = "check"
    step: int
    check: str
    stage: str
    verdict: str
    message: str = ""
