"""Memory: what the agent keeps within a run, and what it keeps across runs.

- Short-term memory (:mod:`autogpt.memory.short_term`): the step history of the current run, kept within
  the model's context (recent steps verbatim, older ones one line each).
- Long-term memory (:mod:`autogpt.memory.base`): texts that outlive a run, in three namespaces: ``knowledge``
  (chunks of documents the agent was trained on), ``memories`` (what the model chose to remember) and
  ``lessons`` (what the agent learnt from past runs). Searched hybridly: vector similarity (an embedder,
  :mod:`autogpt.memory.embedders`) fused with keyword search (:mod:`autogpt.memory.text`).
  Backends: :class:`~autogpt.memory.sqlite.SQLiteMemory` (the embedded default: one SQLite file with
  sqlite-vec and FTS5) and :class:`~autogpt.memory.postgres.PostgresMemory` (pgvector, shared deployments).

Importing this package is cheap: the backends and their packages load only in :func:`create_memory`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from autogpt.errors import MemoryUnavailableError
from autogpt.memory.base import (
    NAMESPACES,
    Embedder,
    LongTermMemory,
    MemoryHit,
    MemoryRecord,
    NewMemory,
    new_memory_id,
)

if TYPE_CHECKING:
    from autogpt.config import Settings

__all__ = [
    "NAMESPACES",
    "Embedder",
    "LongTermMemory",
    "MemoryHit",
    "MemoryRecord",
    "NewMemory",
    "create_embedder",
    "create_memory",
    "new_memory_id",
]

_POSTGRES_SCHEMES = ("postgres://", "postgresql://")


def _mask(url: str) -> str:
    """The URL without its password (error messages end up in logs)."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def create_embedder(settings: Settings) -> Embedder:
    """The embedder ``settings.embedder`` names (see :func:`autogpt.memory.embedders.create_embedder`)."""
    from autogpt.memory.embedders import create_embedder as _create

    return _create(settings)


def create_memory(settings: Settings) -> LongTermMemory:
    """The long-term memory the settings describe: PostgreSQL + pgvector when ``memory_url`` is a
    ``postgresql://`` URL, else SQLite in ``settings.memory_path`` (or at a ``sqlite:///PATH`` ``memory_url``).
    Whether memory is used at all (``settings.memory``) is the caller's decision.

    Raises :class:`~autogpt.errors.MemoryUnavailableError` when a package is missing, the database cannot
    be opened, or it was built with another embedder.
    """
    url = settings.memory_url
    if url and url.startswith(_POSTGRES_SCHEMES):
        embedder = create_embedder(settings)
        try:
            from autogpt.memory.postgres import PostgresMemory
        except ImportError as e:
            raise MemoryUnavailableError(
                f"A PostgreSQL memory_url needs psycopg and pgvector ({e}). Install them with: "
                "pip install 'autogpt[postgres]'"
            ) from e
        return PostgresMemory(url, embedder)
    if url and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///")).expanduser()  # sqlite:////abs/path is absolute
    elif url:
        raise MemoryUnavailableError(
            f"Unsupported memory_url {_mask(url)!r}: leave it empty (SQLite in the data dir), or use "
            "postgresql://USER:PASSWORD@HOST/DB or sqlite:///PATH."
        )
    else:
        path = settings.memory_path
    from autogpt.memory.sqlite import SQLiteMemory

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MemoryUnavailableError(f"Cannot create the folder of the long-term memory {path}: {e}") from e
    return SQLiteMemory(path, create_embedder(settings))
