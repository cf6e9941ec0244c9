"""Long-term memory: what a memory keeps, and the small interface every backend implements.

A memory is a list of short texts, each in a *namespace*:

- ``knowledge``: chunks of the documents the agent was trained on (``agent.train(...)``), with their
  ``source`` (the file) and ``position`` (the chunk's index in it), so answers can cite them;
- ``memories``: what the model chose to ``remember`` during a run;
- ``lessons``: what the agent distilled from past runs, with a ``weight`` in ``metadata``.

:meth:`LongTermMemory.search` is hybrid: vector similarity (an :class:`Embedder`) fused with keyword search
(exact names, numbers and codes matter), best first.

:class:`~autogpt.memory.sqlite.SQLiteMemory` (SQLite + sqlite-vec + FTS5, one file next to the run store) is
the embedded default; :class:`~autogpt.memory.postgres.PostgresMemory` (pgvector) serves shared deployments.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

NAMESPACES = ("knowledge", "memories", "lessons")


def new_memory_id() -> str:
    return "m_" + secrets.token_hex(8)


class NewMemory(BaseModel):
    """A text to add (the backend embeds it and gives it an id)."""

    text: str = Field(min_length=1)
    namespace: str = "memories"
    source: str | None = None
    position: int = 0
    metadata: dict[str, Any] = Field(default_factory=dict)


class MemoryRecord(NewMemory):
    """A stored memory."""

    id: str = Field(default_factory=new_memory_id)
    created: float = Field(default_factory=time.time)


class MemoryHit(BaseModel):
    """A search result: the record and its fused relevance (higher is better; only order is meaningful)."""

    record: MemoryRecord
    score: float
    vector_rank: int | None = None  # 1-based rank in the vector search, None if not found there
    keyword_rank: int | None = None  # 1-based rank in the keyword search, None if not found there
    similarity: float | None = None  # cosine similarity of query and record, when the vector search found it


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors. Queries and passages may be embedded differently (E5 does)."""

    name: str  # identifies the model: a memory refuses to mix vectors of two embedders
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]: ...


@runtime_checkable
class LongTermMemory(Protocol):
    """The interface of every long-term memory backend. Unknown ids raise
    :class:`~autogpt.errors.NotFoundError`; a backend that cannot be opened raises
    :class:`~autogpt.errors.MemoryUnavailableError`."""

    embedder: Embedder

    def add(self, text: str, *, namespace: str = "memories", source: str | None = None, position: int = 0,
            metadata: dict[str, Any] | None = None) -> MemoryRecord: ...

    def add_many(self, items: Sequence[NewMemory]) -> list[MemoryRecord]:
        """Add several texts at once (embedded in batches), in one transaction."""
        ...

    def search(self, query: str, *, namespace: str = "memories", k: int = 5,
               source: str | None = None) -> list[MemoryHit]:
        """The ``k`` records most relevant to ``query`` in ``namespace`` (only from ``source`` if given)."""
        ...

    def get(self, memory_id: str) -> MemoryRecord: ...

    def update(self, memory_id: str, *, text: str | None = None,
               metadata: dict[str, Any] | None = None) -> MemoryRecord:
        """Replace the text (re-embedded) and/or the metadata (replaced whole) of a record."""
        ...

    def delete(self, memory_id: str) -> None: ...

    def delete_source(self, source: str, *, namespace: str = "knowledge") -> int:
        """Delete every record of ``source`` in ``namespace``; returns how many."""
        ...

    def list(self, namespace: str = "memories", *, source: str | None = None, limit: int = 100,
             offset: int = 0) -> list[MemoryRecord]:
        """Records oldest first (by ``created``, then ``position``)."""
        ...

    def sources(self, namespace: str = "knowledge") -> dict[str, dict[str, Any]]:
        """Each source in ``namespace`` with the metadata of its first record (e.g. the file's hash)."""
        ...

    def count(self, namespace: str | None = None) -> int: ...

    def close(self) -> None: ...
