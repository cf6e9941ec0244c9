"""What a store keeps, and the small interface every store implements.

A *task* is one run of the agent: its goals, its options, where its workspace is, and the loop's state.
Its *history* is the loop's typed steps, one row each, written after every step in the same transaction as
the state, so a run killed at any moment resumes from its last completed step. *Protocol steps* are the
Agent Protocol's steps (one per ``POST .../steps``), *artifacts* the files a task produced or was given, and
*events* what the run reported (thoughts, tool calls, results) for live views and replays.

:class:`~autogpt.store.sqlite.SQLiteStore` keeps them in one file, and
:class:`~autogpt.store.postgres.PostgresStore` in PostgreSQL, for several servers sharing their runs. Both
implement the :class:`Store` protocol (:func:`autogpt.store.create_store` picks one).

*Leases* say which worker runs a task, so that several server processes on one database never run the same
task twice, and a dead worker's task is taken up again once its lease expires: a worker claims a task for a
few seconds (:meth:`Store.claim`), renews the lease while it runs, and releases it when done.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from autogpt.errors import StoreError

#: Task statuses: ``created`` (no step yet), ``running``, ``waiting`` (for a human's approval), or how the
#: run ended (see :data:`autogpt.agent.loop.STATUSES`).
ACTIVE = ("created", "running", "waiting")
#: What a worker may take up: the active statuses, and ``interrupted`` (a run whose process stopped).
RESUMABLE = (*ACTIVE, "interrupted")

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_OR_NUL = re.compile("[\ud800-\udfff\x00]")


def now() -> datetime:
    return datetime.now(UTC)


def storable_text(text: str, *, nul: bool = False) -> str:
    """``text`` with each lone surrogate (a model's ``"\\udcff"``, a file name that is not UTF-8), and with
    ``nul`` each NUL character, written out as printable text (``\\udcff``, ``\\u0000``): neither can be
    stored as UTF-8 text (PostgreSQL refuses NUL in text and JSONB)."""
    pattern = _SURROGATE_OR_NUL if nul else _SURROGATE
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def storable(value: Any, *, nul: bool = False) -> Any:
    """``value`` (JSON-like: dicts, lists, text) with :func:`storable_text` applied to every text in it, keys
    included."""
    if isinstance(value, str):
        return storable_text(value, nul=nul)
    if isinstance(value, list | tuple):
        return [storable(v, nul=nul) for v in value]
    if isinstance(value, dict):
        return {storable(k, nul=nul): storable(v, nul=nul) for k, v in value.items()}
    return value


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
        return self.status in RESUMABLE


#: Where tasks run under a lease (a server, a batch or Ray worker, the MCP server): running without one means
#: the process that ran it is gone. CLI runs hold no lease.
LEASED_ORIGINS = ("server", "batch", "mcp")


def unreachable(record: TaskRecord, lease: tuple[str, Any] | None) -> bool:
    """Whether the task says it is running but nobody holds it: its server or worker died and nobody has taken it
    up yet (a continuous server task is taken up by another server; a batch task when the batch runs again)."""
    return record.status in ("running", "waiting") and lease is None \
        and record.options.get("origin") in LEASED_ORIGINS


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

    def record_call(self, task_id: str, number: int, call: dict[str, Any]) -> None:
        """Keep step ``number``'s model call (``{"messages": [...], "reply": text}``; replaced if it is there):
        the prompt and the reply a LoRA adapter can be trained on (see ``AutoGPT.run_pairs``)."""
        ...
    def calls(self, task_id: str) -> list[dict[str, Any]]:
        """The task's kept model calls, by step number (each with its ``number``)."""
        ...

    def claim(self, task_id: str, worker: str, ttl_seconds: float) -> bool:
        """Take the task's lease for ``ttl_seconds`` if nobody holds an unexpired one, or ``worker`` already
        does; True when ``worker`` holds it now. Atomic: of several workers claiming at once, one gets it.
        :class:`~autogpt.errors.NotFoundError` for an unknown task."""
        ...
    def renew(self, task_id: str, worker: str, ttl_seconds: float) -> bool:
        """Extend ``worker``'s lease to ``ttl_seconds`` from now; False (nothing changed) when it no longer
        holds it: released, or expired and claimed by another. NotFoundError for an unknown task."""
        ...
    def release(self, task_id: str, worker: str) -> None:
        """Give the lease up, if ``worker`` holds it (nothing happens otherwise, nor for an unknown task)."""
        ...
    def lease(self, task_id: str) -> tuple[str, datetime] | None:
        """Who holds the task's lease and until when (UTC); None when it is free or expired."""
        ...
    def claimable(self, limit: int = 100) -> list[TaskRecord]:
        """Tasks a worker may take up: resumable (:data:`RESUMABLE`), continuous (``options.continuous`` is
        true) and with no unexpired lease; oldest first."""
        ...

    def close(self) -> None: ...


async def keep_lease(store: Store, task_id: str, worker: str, ttl_seconds: float) -> None:
    """Renew ``worker``'s lease on the task every third of ``ttl_seconds`` until cancelled (a renewal the store
    fails is tried again the next time)."""
    while True:
        await asyncio.sleep(ttl_seconds / 3)
        with contextlib.suppress(StoreError):
            store.renew(task_id, worker, ttl_seconds)
