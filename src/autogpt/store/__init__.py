"""Persistence: every task, its steps, artifacts and events, in one SQLite file (see :mod:`.base`)."""

from autogpt.store.base import ArtifactRecord, ProtocolStep, Store, TaskRecord
from autogpt.store.sqlite import SQLiteStore

__all__ = ["ArtifactRecord", "ProtocolStep", "SQLiteStore", "Store", "TaskRecord"]
