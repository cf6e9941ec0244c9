"""What a store keeps, and the small interface every store implements.

A *task* is one run of the agent: its goals, its options, where its workspace is, and the loop's state.
Its *history* is the loop's typed steps, one row each, written after every step in the same transaction as
the state, so a run killed at any moment resumes from its last completed step. *Protocol steps* are the
Agent Protocol's steps (one per ``POST .../steps``), *artifacts* the files a task produced or was given, and
*events* what the run reported (thoughts, tool calls, results) for live views and replays.

:class:`~autogpt.store.sqlite.SQLiteStore` is the implementation that ships; a PostgreSQL one for several
servers implements the same :class:`Store` protocol.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

#: Task statuses: ``created`` (no step yet), ``running``, ``waiting`` (for a human's approval), or how the
#: run ended (see :data:`autogpt.agent.loop.STATUSES`).
ACTIVE = ("created", "running", "waiting")


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A sortable, unique id: time, then randomness (``20261129-231203-a1b2c3``)."""
    return now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


class TaskRecord(BaseModel):
    task_id: str = Field(default_factory=new_id)
    input: str = ""  # the goal as one text (the Agent Protocol's task input)
    additional_input: dict[str, Any] = Field(default_factory=dict)
    name: str = "AutoGPT"
    role: str = "AI Assistant"
    goals: list[str] = Field(default_factory=list)
    status: str = "created"
    workspace: str = ""
    options: dict[str, Any] = Field(default_factory=dict)  # model, continuous, budgets, language
    state: dict[str, Any] = Field(default_factory=dict)  # the loop's state (see autogpt.agent.loop.RunState)
    result: dict[str, Any] | None = None
    created_at: datetime = Field(default_factory=now)
    modified_at: datetime = Field(default_factory=now)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def resumable(self) -> bool:
        """Not ended: active, or interrupted (Ctrl-C, a server shut down) and able to go on."""
        return self.status in ACTIVE or self.status == "interrupted"


class ProtocolStep(BaseModel):
    """An Agent Protocol step: one ``POST /agent/tasks/{id}/steps`` and what it did."""

    step_id: str = Field(default_factory=lambda: secrets.token_hex(8))
    task_id: str
    name: str = ""
    input: str | None = None
    additional_input: dict[str, Any] = Field(default_factory=dict)
    status: Literal["created", "running", "completed"] = "created"
    output: str | None = None
    additional_output: dict[str, Any] = Field(default_factory=dict)
    artifacts: list[str] = Field(default_factory=list)  # artifact ids
    is_last: bool = False
    created_at: datetime = Field(default_factory=now)
    modified_at: datetime = Field(default_factory=now)


class ArtifactRecord(BaseModel):
    artifact_id: str = Field(default_factory=lambda: secrets.token_hex(8))
    task_id: str
    file_name: str
    relative_path: str  # the folder inside the workspace ("" for its root)
    agent_created: bool = True
    created_at: datetime = Field(default_factory=now)

    @property
    def path(self) -> str:
        """The file's path inside the workspace."""
        return f"{self.relative_path.strip('/')}/{self.file_name}".lstrip("/")


class Store(Protocol):
    """Durable storage of tasks. Every method is safe to call from several threads."""

    def create_task(self, task: TaskRecord) -> TaskRecord: ...
    def get_task(self, task_id: str) -> TaskRecord:
        """The task, or :class:`~autogpt.errors.NotFoundError`."""
        ...
    def list_tasks(self, page: int = 1, page_size: int = 20) -> tuple[list[TaskRecord], int]:
        """Newest first; returns one page and the total count."""
        ...
    def children(self, task_id: str) -> list[TaskRecord]:
        """The helper runs the task delegated to (``options.parent_id``), oldest first."""
        ...
    def update_task(self, task_id: str, **fields: Any) -> None: ...

    def record_step(self, task_id: str, number: int, step: dict[str, Any], state: dict[str, Any]) -> None:
        """Add (or replace) history step ``number`` and the loop's state, in one transaction."""
        ...
    def save_state(self, task_id: str, state: dict[str, Any], status: str | None = None) -> None: ...
    def history(self, task_id: str) -> list[dict[str, Any]]:
        """The loop's steps, in order."""
        ...

    def save_protocol_step(self, step: ProtocolStep) -> None: ...
    def get_protocol_step(self, task_id: str, step_id: str) -> ProtocolStep: ...
    def list_protocol_steps(self, task_id: str, page: int = 1, page_size: int = 20) -> tuple[list[ProtocolStep], int]: ...

    def add_artifact(self, artifact: ArtifactRecord) -> ArtifactRecord:
        """Add it, or return the existing record for the same path."""
        ...
    def get_artifact(self, task_id: str, artifact_id: str) -> ArtifactRecord: ...
    def list_artifacts(self, task_id: str, page: int = 1, page_size: int = 20) -> tuple[list[ArtifactRecord], int]: ...

    def add_event(self, task_id: str, event: dict[str, Any]) -> int:
        """Append an event; returns its sequence number (1, 2, ...) within the task."""
        ...
    def events(self, task_id: str, after: int = 0) -> list[tuple[int, dict[str, Any]]]: ...

    def close(self) -> None: ...
